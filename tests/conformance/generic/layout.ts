// node: skip -- sizeof of a class needs the compiler's layout
// Each instance of a generic class is laid out for its own type arguments (System V rules).
import { print } from "../lib/print";

class Cell<T> {
  v!: T;
  next: Cell<T> | null = null;
}

class Pair<A, B> {
  a!: A;
  b!: B;
}

class Wrap<T> {
  tag: u8 = 0;
  inner!: Inline<T>;
}

class Box<T> {
  items!: InlineArray<T, 3>;
}

export function main(): void {
  print(`${sizeof<Cell<u8>>()} ${sizeof<Cell<u64>>()} ${offsetof<Cell<u16>>("next")}`);
  print(`${sizeof<Pair<u8, u16>>()} ${sizeof<Pair<u16, u8>>()} ${sizeof<Pair<u8, Pair<u8, u64>>>()} ${offsetof<Pair<u8, u32>>("b")}`);
  print(`${sizeof<Wrap<Pair<u8, u32>>>()} ${offsetof<Wrap<Cell<u8>>>("inner")} ${sizeof<Box<u16>>()} ${sizeof<Box<Cell<u8>>>()}`);
}

/* expect:
16 16 8
4 4 16 4
12 8 6 24
*/
