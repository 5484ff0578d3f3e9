// Literals in decimal, hex, octal and binary, with _ separators.
import { print } from "../lib/print";

export function main(): void {
  const a: u32 = 0xFF;
  const b: u32 = 0o17;
  const c: u32 = 0b1010_1010;
  const d: u32 = 1_000_000;
  const e: u32 = 0xDEAD_BEEF;
  const f: i32 = -0x80;
  print(`${a} ${b} ${c} ${d} ${e} ${f}`);
}

/* expect:
255 15 170 1000000 3735928559 -128
*/
