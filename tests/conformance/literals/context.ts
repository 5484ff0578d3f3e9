// node: skip -- relies on u8 arithmetic wrapping without a conversion
// A literal takes the type of the other operand: u8 + 1 is u8 arithmetic (wraps), then widens.
import { print } from "../lib/print";

export function main(): void {
  const a: u8 = 255;
  const d: u16 = a + 1;
  const e: u32 = a + 1;
  const f: i32 = i32(a) + 1;
  const g: i16 = -1;
  const h: i32 = g + 0;
  print(`${d} ${e} ${f} ${h}`);
}

/* expect:
0 0 256 -1
*/
