export class Holder2 {
  s!: Slice<u8>; // error TSK1048
}
let g_slice!: Slice<u8>; // error TSK1048
export function f_ret(p: usize): Slice<u8> { // error TSK2021
  return slice<u8>(p, 4);
}
export function f_slice_of(x: u32): usize {
  const s = as_slice(x); // error TSK2007 TS2345
  return s.length;
}
