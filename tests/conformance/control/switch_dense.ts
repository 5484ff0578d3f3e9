// A dense switch (a jump table candidate) with break in every case and a default last.
import { print } from "../lib/print";

function name(d: i32): string {
  let s = "";
  switch (d) {
    case 0: s = "zero"; break;
    case 1: s = "one"; break;
    case 2: s = "two"; break;
    case 3: s = "three"; break;
    case 4: s = "four"; break;
    case 5: s = "five"; break;
    case 6: s = "six"; break;
    case 7: s = "seven"; break;
    default: s = "other"; break;
  }
  return s;
}

export function main(): void {
  for (let i = -2; i < 10; i++) print(`${i} ${name(i)}`);
}

/* expect:
-2 other
-1 other
0 zero
1 one
2 two
3 three
4 four
5 five
6 six
7 seven
8 other
9 other
*/
