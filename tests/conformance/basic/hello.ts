// The smallest program: a string literal through print.
import { print } from "../lib/print";

export function main(): void {
  print("hello, world");
}

/* expect:
hello, world
*/
