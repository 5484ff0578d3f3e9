// node: skip -- JS remainder by zero gives NaN, it does not trap
// expect-signal: SIGFPE
// Unsigned 64-bit remainder by zero traps too.
import { print } from "../lib/print";

let zero: u64 = 0;

export function main(): void {
  const a: u64 = 10;
  print(`${a % 3}`);
  print(`${a % zero}`);
}

/* expect:
1
*/
