export function f_comma(a: u32, b: u32): u32 {
  return (a, b); // error TSK1038 TS2695
}
