// node: skip -- under node `new` makes a JS object and never calls __alloc/__free
// new calls the program's __alloc with sizeof<T>() and destroy calls __free with the address.
import { print } from "../lib/print";
import { bump_used, bump_frees } from "../lib/bump";

class Big {
  a: u64 = 1;
  b: u64 = 2;
  c: u8 = 3;
}

class Tiny {
  x: u8 = 9;
}

export function main(): void {
  const before = bump_used();
  const b = new Big();
  const t = new Tiny();
  print(`${sizeof<Big>()} ${bump_used() - before} ${b.a + b.b + u64(b.c)} ${t.x}`);
  const pb = changetype<usize>(b);
  const pt = changetype<usize>(t);
  print(`${pt - pb} ${pb & 15} ${pt & 15}`);
  destroy(b);
  destroy(t);
  print(`${bump_frees()}`);
}

/* expect:
24 48 6 9
32 0 0
2
*/
