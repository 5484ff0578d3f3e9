// node: skip -- a typed array ignores an out-of-range write under node
// expect-signal: SIGILL
// An index out of range stops the program: with no __bounds_fail hook, ud2 (SIGILL). In-range
// indices, including the last one, pass; a negative signed index is out of range.
import { print } from "../lib/print";

let buf!: InlineArray<u32, 4>;

function at(i: i32): u32 {
  return buf[i];
}

export function main(): void {
  for (let i = 0; i < 4; i++) buf[i] = u32(i) * 10;
  print(`${at(0)} ${at(3)}`);
  print(`${at(-1)}`);
  print(`not reached`);
}

/* expect:
0 30
*/
