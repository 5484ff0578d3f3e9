// break and continue in while, do-while and for.
import { print } from "../lib/print";

export function main(): void {
  let odd: i32 = 0;
  for (let i = 0; i < 20; i++) {
    if (i % 2 == 0) continue;
    if (i > 13) break;
    odd += i;
  }
  let w: i32 = 0;
  let n: i32 = 0;
  while (true) {
    n++;
    if (n % 3 == 0) continue;
    if (n > 10) break;
    w += n;
  }
  let d: i32 = 0;
  let m: i32 = 0;
  do {
    m++;
    if (m == 2) continue;
    d += m;
  } while (m < 5);
  print(`${odd} ${w} ${n} ${d}`);
}

/* expect:
49 37 11 13
*/
