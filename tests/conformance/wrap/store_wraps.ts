// node: skip -- relies on wrapping without a conversion (JS numbers do not wrap)
// Arithmetic wraps at the type's width, with no conversion written.
import { print } from "../lib/print";

export function main(): void {
  let a: i32 = 2147483647;
  a = a + 1;
  let b: u32 = 0;
  b = b - 1;
  let c: i8 = 127;
  c = c + 1;
  let d: u8 = 0;
  d = d - 1;
  let e: i16 = -32768;
  e = e - 1;
  let f: u16 = 65535;
  f = f + 1;
  let g: i64 = 9223372036854775807;
  g = g + 1;
  let h: u64 = 0;
  h = h - 1;
  print(`${a} ${b} ${c} ${d} ${e} ${f} ${g} ${h}`);
  let m: u32 = 0x10000;
  m = m * m;
  let n: i32 = 65536;
  n = n * 32768;
  print(`${m} ${n}`);
}

/* expect:
-2147483648 4294967295 -128 255 32767 0 -9223372036854775808 18446744073709551615
0 -2147483648
*/
