// node: skip -- literals above 2^53 are not exact in JS numbers
// 64-bit literals are read exactly from their source text, not through a double.
import { print } from "../lib/print";

export function main(): void {
  const a: u64 = 0xFFFF_FFFF_FFFF_FFFF;
  const b: u64 = 9007199254740993;
  const c: u64 = 0x8000_0000_0000_0001;
  const d: i64 = -9007199254740993;
  const e: usize = 0xFFFFFFFF80000000;
  print(`${a} ${b} ${c} ${d} ${e}`);
  print(`${b - 9007199254740992} ${c & 0xFF}`);
}

/* expect:
18446744073709551615 9007199254740993 9223372036854775809 -9007199254740993 18446744071562067968
1 1
*/
