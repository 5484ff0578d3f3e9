// A small Linux-target program for the debug-information tests: two source files, calls across
// them, a global the result goes to (so nothing is optimised away).
import { fact, sum_to } from "./math";
import { make, weigh } from "./task";
import { juggle } from "./frames";

let result: u64 = 0;

export function main(): void {
  const a = fact(5); // @call-fact
  const b = sum_to(10); // @call-sum
  result = a + u64(b); // @store
  const first = make(0, 7, 3, null);
  const second = make(1, 42, 9, first);
  result += weigh(second, 5); // @call-weigh
  result += juggle(result, 3, 4); // @call-juggle
}
