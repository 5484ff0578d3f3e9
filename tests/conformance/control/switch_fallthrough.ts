// Cases fall through to the next one unless they break; several labels share a body.
import { print } from "../lib/print";

function score(x: i32): i32 {
  let s: i32 = 0;
  switch (x) {
    case 1:
      s += 1;
    case 2:
      s += 10;
    case 3:
    case 4:
      s += 100;
      break;
    case 5:
      s += 1000;
    default:
      s += 10000;
  }
  return s;
}

export function main(): void {
  for (let i = 0; i < 7; i++) print(`${i}: ${score(i)}`);
}

/* expect:
0: 10000
1: 111
2: 110
3: 100
4: 100
5: 11000
6: 10000
*/
