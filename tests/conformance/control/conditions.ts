// Conditions accept bool, integers (!= 0) and references (!= null); ! gives a bool.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

class Node {
  v: i32 = 0;
  next: Node | null = null;
}

export function main(): void {
  const zero: u64 = 0;
  const some: i8 = -1;
  let r: i32 = 0;
  if (zero) r += 1;
  if (some) r += 10;
  if (!zero) r += 100;
  if (!some) r += 1000;
  let n: Node | null = null;
  if (n) r += 10000;
  n = new Node();
  if (n) r += 100000;
  if (!n.next) r += 1000000;
  const x: i32 = 3;
  const y = x ? 7 : 8;
  print(`${r} ${y} ${u32(!x)} ${u32(!!x)} ${u32(bump_used() <= 16)}`);
}

/* expect:
1100110 7 0 1 1
*/
