// while loops: zero iterations, counting, and a loop whose condition is an integer (!= 0).
import { print } from "../lib/print";

export function main(): void {
  let n: i32 = 0;
  while (n > 0) n = n - 1;
  let sum: u32 = 0;
  let i: u32 = 1;
  while (i <= 100) {
    sum = sum + i;
    i = i + 1;
  }
  let bits: u32 = 0xB5;
  let count: i32 = 0;
  while (bits) {
    count = count + i32(bits & 1);
    bits = bits >>> 1;
  }
  print(`${n} ${sum} ${i} ${count}`);
}

/* expect:
0 5050 101 5
*/
