// node: skip -- a JS array read past its end gives undefined, not a failure
// expect-signal: SIGILL
// A program that exports __bounds_fail is told where an index went out of range: the file, the
// line, the index and the length (the kernel's hook panics with them).
import { print } from "../lib/print";

const TABLE: u8[] = [1, 2, 3];

export function __bounds_fail(file: string, line: u32, index: u64, length: u64): never {
  print(`${file}:${line}: index ${index} out of range for length ${length}`);
  unreachable();
}

function get(i: usize): u8 {
  return TABLE[i];
}

export function main(): void {
  let s: u32 = 0;
  for (let i: usize = 0; i < 3; i++) s += get(i);
  print(`${s}`);
  print(`${get(7)}`);
}

/* expect:
6
tests/conformance/bounds/hook.ts:15: index 7 out of range for length 3
*/
