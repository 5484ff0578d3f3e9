// node: skip -- JS division by zero gives Infinity, it does not trap
// expect-signal: SIGFPE
// Integer division by zero traps (#DE; SIGFPE under Linux) after the output before it.
import { print } from "../lib/print";

function div(a: i32, b: i32): i32 {
  return a / b;
}

export function main(): void {
  print(`${div(7, 2)}`);
  print(`${div(7, 0)}`);
  print("not reached");
}

/* expect:
3
*/
