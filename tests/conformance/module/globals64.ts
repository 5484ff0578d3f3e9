// node: skip -- 64-bit values beyond 2^53
// 64-bit module variables in .data and .bss, and usize/isize.
import { print } from "../lib/print";

let a: i64 = -9223372036854775807;
let b: u64 = 0xFEDCBA9876543210;
let c: usize = 0xFFFFFFFF80000000;
let d: isize = -1;
let z: u64 = 0;

export function main(): void {
  print(`${a} ${b} ${hex(c)} ${d} ${z}`);
  a = a - 1;
  b = b >> 4;
  c = c + 0x1000;
  d = d * 3;
  z = z - 1;
  print(`${a} ${hex(b)} ${hex(c)} ${d} ${z}`);
}

/* expect:
-9223372036854775807 18364758544493064720 0xffffffff80000000 -1 0
-9223372036854775808 0xfedcba987654321 0xffffffff80001000 -3 18446744073709551615
*/
