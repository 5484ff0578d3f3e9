// Eight narrow arguments whose values need sign- or zero-extension at the callee.
import { print } from "../lib/print";

function f(a: i8, b: u8, c: i16, d: u16, e: i8, g: u8, h: i16, k: u16): i32 {
  return i32(a) + i32(b) + i32(c) + i32(d) + i32(e) + i32(g) + i32(h) + i32(k);
}

export function main(): void {
  print(`${f(-1, 255, -1, 65535, -128, 128, -32768, 32768)}`);
  const x: i32 = 0x1FF;
  print(`${f(i8(x), u8(x), i16(x), u16(x), i8(-x), u8(-x), i16(-x), u16(-x))}`);
}

/* expect:
65788
65792
*/
