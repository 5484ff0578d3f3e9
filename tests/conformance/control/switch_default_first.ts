// default written first: it still runs only when no case matches, and falls into the case below it.
import { print } from "../lib/print";

function f(x: u8): i32 {
  let r: i32 = 0;
  switch (x) {
    default:
      r += 1;
    case 10:
      r += 10;
      break;
    case 20:
      r += 100;
      break;
  }
  return r;
}

export function main(): void {
  print(`${f(10)} ${f(20)} ${f(30)} ${f(0)} ${f(255)}`);
}

/* expect:
10 100 11 11 11
*/
