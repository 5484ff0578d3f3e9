// Labelled break and continue across nested loops.
import { print } from "../lib/print";

export function main(): void {
  let found: i32 = -1;
  outer: for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) {
      if (i * j == 42) {
        found = i * 100 + j;
        break outer;
      }
    }
  }
  let pairs: i32 = 0;
  rows: for (let i = 0; i < 5; i++) {
    let j = 0;
    while (j < 5) {
      j++;
      if (j > i) continue rows;
      pairs++;
    }
  }
  let steps: i32 = 0;
  a: while (steps < 100) {
    b: do {
      steps++;
      if (steps % 7 == 0) break a;
      if (steps % 2 == 0) continue b;
      steps++;
    } while (steps < 50);
  }
  print(`${found} ${pairs} ${steps}`);
}

/* expect:
607 10 7
*/
