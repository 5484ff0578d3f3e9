// Default parameter values (constants, passed by the caller when the argument is left out) and
// optional reference parameters (null when left out), on functions, methods and constructors.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

const BASE: u32 = 1000;

function scaled(x: u32, by: u32 = 10, plus: u32 = BASE + 1): u32 {
  return x * by + plus;
}

class Item {
  id: u32 = 0;
  next: Item | null = null;
  constructor(id: u32 = 7, next?: Item) {
    this.id = id;
    if (next) this.next = next;
  }
  total(extra: i64 = -1): i64 {
    let t: i64 = extra;
    for (let i: Item | null = this; i != null; i = i.next) t += i64(i.id);
    return t;
  }
}

function label(s: string = "none"): string {
  return s;
}

export function main(): void {
  print(`${scaled(2)} ${scaled(2, 3)} ${scaled(2, 3, 4)}`);
  const a = new Item();
  const b = new Item(5, a);
  print(`${a.id} ${b.id} ${b.total()} ${b.total(0)} ${u32(a.next == null)}`);
  print(`${label()} ${label("some")} ${u32(bump_used() >= 0)}`);
}

/* expect:
1021 1007 10
7 5 11 12 1
none some 1
*/
