// Assignments are expressions: a = b = c, and an assignment used as a condition.
import { print } from "../lib/print";

let g: u32 = 0;

export function main(): void {
  let a: u32 = 0;
  let b: u32 = 0;
  a = b = g = 42;
  print(`${a} ${b} ${g}`);
  let n: u32 = 0;
  let v: u32 = 100;
  while ((v = v >>> 1) != 0) n++;
  print(`${n} ${v}`);
}

/* expect:
42 42 42
6 0
*/
