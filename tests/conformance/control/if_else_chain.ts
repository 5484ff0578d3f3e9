// if / else if / else chains, with and without braces.
import { print } from "../lib/print";

function classify(x: i32): string {
  if (x < 0) return "negative";
  else if (x == 0) return "zero";
  else if (x < 10) {
    return "small";
  } else {
    if (x >= 1000) return "huge";
    return "big";
  }
}

export function main(): void {
  print(`${classify(-5)} ${classify(0)} ${classify(9)} ${classify(10)} ${classify(999)} ${classify(1000)}`);
}

/* expect:
negative zero small big big huge
*/
