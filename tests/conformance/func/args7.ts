// Seven arguments: the seventh goes on the stack (System V).
import { print } from "../lib/print";

function f(a: i32, b: i32, c: i32, d: i32, e: i32, g: i32, h: i32): i32 {
  return a * 1000000 + b * 100000 + c * 10000 + d * 1000 + e * 100 + g * 10 + h;
}

export function main(): void {
  print(`${f(1, 2, 3, 4, 5, 6, 7)}`);
  print(`${f(7, 6, 5, 4, 3, 2, 1)}`);
}

/* expect:
1234567
7654321
*/
