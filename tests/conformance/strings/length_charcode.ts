// s.length is the byte length stored before the bytes; s.charCodeAt(i) reads a byte.
import { print } from "../lib/print";

function checksum(s: string): u32 {
  let h: u32 = 0;
  for (let i = 0; i < s.length; i++) h = u32(h * 31 + s.charCodeAt(i));
  return h;
}

export function main(): void {
  const s = "Scarlett";
  print(`${s.length} ${s.charCodeAt(0)} ${s.charCodeAt(7)} ${"".length}`);
  print(`${checksum("hello")} ${checksum("")} ${checksum("The quick brown fox")}`);
}

/* expect:
8 83 116 0
99162322 0 2555631267
*/
