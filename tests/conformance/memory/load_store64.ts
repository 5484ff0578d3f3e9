// node: skip -- 64-bit values beyond 2^53
// 64-bit loads and stores, sign extension of narrow loads into 64-bit values, unaligned access.
import { print } from "../lib/print";

let buf!: InlineArray<u8, 64>;

export function main(): void {
  const p = addr_of(buf);
  store<u64>(p, 0x0102030405060708);
  print(`${hex(load<u64>(p))} ${hex(load<u32>(p, 4))} ${hex(load<u8>(p, 7))}`);
  store<i64>(p, -2, 16);
  const x: i64 = load<i8>(p, 16);
  const y: u64 = load<u8>(p, 16);
  print(`${load<i64>(p, 16)} ${x} ${y} ${load<u64>(p, 16)}`);
  store<u64>(p + 33, 0xFFEEDDCCBBAA9988);
  print(`${hex(load<u64>(p + 33))} ${hex(load<u32>(p + 35))}`);
}

/* expect:
0x102030405060708 0x1020304 0x1
-2 -2 254 18446744073709551614
0xffeeddccbbaa9988 0xddccbbaa
*/
