// A small Linux-target program for the debug-information tests: two source files, calls across
// them, a global the result goes to (so nothing is optimised away).
import { fact, sum_to } from "./math";

let result: u64 = 0;

export function main(): void {
  const a = fact(5); // @call-fact
  const b = sum_to(10); // @call-sum
  result = a + u64(b); // @store
}
