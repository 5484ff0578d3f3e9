// node: skip -- a typed array ignores an out-of-range write under node
// expect-signal: SIGILL
// The optimizer drops the check of `a[i]` in a loop whose condition keeps i below the length,
// and keeps it when the condition does not (here i reaches 4 in an array of 4).
import { print } from "../lib/print";

let a!: InlineArray<u32, 4>;

function fill_ok(): u32 {
  let s: u32 = 0;
  for (let i = 0; i < 4; i++) {
    a[i] = u32(i) + 1;
    s += a[i];
  }
  for (let j: usize = 0; j <= 3; j++) s += a[j];
  return s;
}

function fill_bad(n: i32): void {
  for (let i = 0; i < n; i++) a[i] = 7;
}

function one_past(): u32 {
  let s: u32 = 0;
  for (let i = 0; i <= 4; i++) s += a[i];
  return s;
}

export function main(): void {
  print(`${fill_ok()}`);
  fill_bad(4);
  print(`${a[3]}`);
  print(`${one_past()}`);
}

/* expect:
20
7
*/
