// node: skip -- JS gives 2147483648 for MIN / -1, it does not trap
// expect-signal: SIGFPE
// i32 MIN / -1 overflows the quotient: idiv raises #DE (SIGFPE), like division by zero.
import { print } from "../lib/print";

function div(a: i32, b: i32): i32 {
  return a / b;
}

export function main(): void {
  print(`${div(-2147483648, 1)}`);
  print(`${div(-2147483648, -1)}`);
}

/* expect:
-2147483648
*/
