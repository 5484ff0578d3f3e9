export function f_narrow(x: u32): u8 {
  let a: u8 = x; // error TSK2003
  a += x; // error TSK2003
  return x; // error TSK2003
}
export function f_narrow_arg(x: u64): void {
  outl(0x3f8, x); // error TSK2003
}
