// node: skip -- 64-bit arguments with values beyond 2^53
// Twelve arguments of mixed widths and signedness: six in registers, six on the stack, each
// extended correctly at the callee.
import { print } from "../lib/print";

function f(a: i8, b: u8, c: i16, d: u16, e: i32, g: u32, h: i64, k: u64, m: bool, n: i8, p: u16, q: i64): void {
  print(`${a} ${b} ${c} ${d} ${e} ${g}`);
  print(`${h} ${k} ${u32(m)} ${n} ${p} ${q}`);
}

function sum(a: i8, b: u8, c: i16, d: u16, e: i32, g: u32, h: i64, k: u64, m: bool, n: i8, p: u16, q: i64): i64 {
  return i64(a) + i64(b) + i64(c) + i64(d) + i64(e) + i64(g) + h + i64(k) + i64(m) + i64(n) + i64(p) + q;
}

export function main(): void {
  f(-128, 255, -32768, 65535, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615, true, -1, 1, 9223372036854775807);
  print(`${sum(-1, 1, -1, 1, -1, 1, -1, 1, true, -1, 1, -1)}`);
  print(`${sum(1, 2, 3, 4, 5, 6, 7, 8, false, 10, 11, 12)}`);
}

/* expect:
-128 255 -32768 65535 -2147483648 4294967295
-9223372036854775808 18446744073709551615 1 -1 1 9223372036854775807
0
69
*/
