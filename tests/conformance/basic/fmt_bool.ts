// node: skip -- JS prints booleans in templates as true/false; the language prints 0/1
// A bool hole is FMT_UINT: it prints 0 or 1. Comparisons give bool.
import { print } from "../lib/print";

export function main(): void {
  const t = true;
  const f = false;
  const x: i32 = 5;
  print(`${t} ${f} ${x > 3} ${x < 3} ${x == 5}`);
}

/* expect:
1 0 1 0 1
*/
