// An unsigned type mixes with a strictly wider signed type: u8 + i32 is i32, u32 + i64 is i64.
import { print } from "../lib/print";

export function main(): void {
  const a: u8 = 200;
  const b: i32 = -300;
  const c = a + b; // i32
  const d: u16 = 65535;
  const e: i32 = -1;
  const f = d * e; // i32
  const g: u8 = 255;
  const h: i16 = -1;
  const k = g + h; // i16
  print(`${c} ${f} ${k}`);
  print(`${u32(a < b)} ${u32(d > e)} ${u32(g == h)}`);
}

/* expect:
-100 -65535 254
0 1 0
*/
