export function f_mix(a: i32, b: u32): i32 {
  return a + b; // error TSK2002
}
export function f_mix64(a: i64, b: u64): bool {
  return a < b; // error TSK2002
}
export function f_mix_assign(b: u32): i32 {
  const x: i32 = b; // error TSK2002
  return x;
}
