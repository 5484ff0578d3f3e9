// Unsigned mixes with a strictly wider signed type: no error here.
export function f_mix_ok(a: u8, b: i32, c: u32, d: i64): i64 {
  return a + b + d + c;
}
