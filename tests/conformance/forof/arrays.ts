// for...of over InlineArray and constant tables: an index loop over the compile-time length;
// break, continue and labels work as in any loop.
import { print } from "../lib/print";

const PRIMES: u16[] = [2, 3, 5, 7, 11, 13];
const WORDS: string[] = ["zero", "one", "two"];

let buf!: InlineArray<i32, 5>;

export function main(): void {
  let sum: u32 = 0;
  for (const p of PRIMES) sum += p;
  print(`${sum}`);
  for (let i = 0; i < 5; i++) buf[i] = (i - 2) * 7;
  let neg: i32 = 0;
  let pos: i32 = 0;
  for (const v of buf) {
    if (v == 0) continue;
    if (v < 0) neg += v;
    else pos += v;
  }
  print(`${neg} ${pos}`);
  for (const w of WORDS) print(`${w} ${w.length}`);
  let found: u16 = 0;
  outer: for (const a of PRIMES) {
    for (const b of PRIMES) {
      if (a * b == 77) {
        found = a * 100 + b;
        break outer;
      }
    }
  }
  print(`${found}`);
  let wide: u64 = 0;
  for (const p of PRIMES) wide = wide * 16 + u64(p); // the element type is u16; widening applies
  print(`${wide}`);
}

/* expect:
41
-21 21
zero 4
one 3
two 3
711
2316221
*/
