export function f_pow(x: u32): u32 {
  return x ** 2; // error TSK1031
}
