// node: skip -- compound assignment wraps at the target's width
// x op= e on narrow types: e converts implicitly to x's type, the result wraps.
import { print } from "../lib/print";

export function main(): void {
  let a: u8 = 250;
  a += 10;
  let b: i8 = -100;
  b -= 100;
  let c: u16 = 300;
  c *= 300;
  let d: i16 = 1;
  d <<= 15;
  let e: u8 = 0x81;
  e <<= 1;
  let f: i8 = -128;
  f >>= 7;
  let g: u32 = 5;
  g -= 10;
  print(`${a} ${b} ${c} ${d} ${e} ${f} ${g}`);
}

/* expect:
4 56 24464 -32768 2 -1 4294967291
*/
