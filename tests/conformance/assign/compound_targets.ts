// Compound assignment to a module variable, a struct field and an InlineArray element; the target
// is evaluated once.
import { print } from "../lib/print";

class Counter {
  hits: u32 = 0;
  misses: u32 = 0;
}

let total: i32 = 5;
let table!: InlineArray<u32, 4>;
let evals: i32 = 0;

function slot(i: i32): i32 {
  evals++;
  return i;
}

function bump(c: Counter): void {
  c.hits += 2;
  c.misses |= 8;
}

export function main(): void {
  total += 10;
  total *= 2;
  table[slot(2)] += 7;
  table[slot(2)] <<= 3;
  table[slot(1)] -= 1;
  print(`${total} ${table[0]} ${table[1]} ${table[2]} ${table[3]} evals=${evals}`);
}

/* expect:
30 0 4294967295 56 0 evals=3
*/
