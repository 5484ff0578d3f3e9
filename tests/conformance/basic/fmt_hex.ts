// hex() holes: 0x prefix, lowercase digits, no leading zeros, 0x0 for zero.
import { print } from "../lib/print";

export function main(): void {
  const a: u32 = 0;
  const b: u32 = 0xABCDEF;
  const c: u8 = 255;
  const d: u16 = 0x1000;
  const e: u32 = 0xFFFFFFFF;
  print(`${hex(a)} ${hex(b)} ${hex(c)} ${hex(d)} ${hex(e)}`);
  for (let i: u32 = 1; i < 0x100000; i = i * 16) print(`${hex(i)} ${hex(i - 1)}`);
}

/* expect:
0x0 0xabcdef 0xff 0x1000 0xffffffff
0x1 0x0
0x10 0xf
0x100 0xff
0x1000 0xfff
0x10000 0xffff
*/
