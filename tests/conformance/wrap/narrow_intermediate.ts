// node: skip -- relies on wrapping without a conversion
// 8/16-bit intermediate results wrap before they are used again, not only at the store.
import { print } from "../lib/print";

export function main(): void {
  const a: u8 = 200;
  const b: u8 = 100;
  const s = a + b; // u8: 44
  const q = s / 2; // 22, not 150
  const x: i8 = 100;
  const y: i8 = 100;
  const cmp = x + y < 0; // i8: 200 wraps to -56
  const m: u16 = 256;
  const sq = m * m; // u16: 0
  print(`${s} ${q} ${u32(cmp)} ${sq} ${u32(sq == 0)}`);
}

/* expect:
44 22 1 0 1
*/
