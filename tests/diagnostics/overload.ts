export function f_over(x: u32): u32; // error TSK1050
export function f_over(x: u32): u32 {
  return x;
}
