// node: skip -- a typed-array read past its end gives undefined under node
// expect-signal: SIGILL
// A Slice index is checked against the slice's own length (not the memory behind it).
import { print } from "../lib/print";

let buf!: InlineArray<u16, 16>;

function at(s: Slice<u16>, i: usize): u16 {
  return s[i];
}

export function main(): void {
  for (let i = 0; i < 16; i++) buf[i] = u16(i);
  const s = slice<u16>(addr_of(buf) + 4, 3); // buf[2..5)
  print(`${at(s, 0)} ${at(s, 2)}`);
  print(`${at(s, 3)}`);
}

/* expect:
2 4
*/
