const T: u32[] = [1, 2, 3];
function sum3(a: u32, b: u32, c: u32): u32 { return a + b + c; }
export function f_spread(): u32 {
  return sum3(...T); // error TSK1010 TS2556
}
