// Generic classes: each `Queue<T>` is its own struct (laid out for T) with its own methods;
// `Cell<Cell<...>>` nesting and a method that is generic on its own are instantiated on use.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

class Cell<T> {
  v!: T;
  next: Cell<T> | null = null;
}

class Queue<T> {
  head: Cell<T> | null = null;
  tail: Cell<T> | null = null;
  count: u32 = 0;

  push(v: T): void {
    const c = new Cell<T>();
    c.v = v;
    if (this.tail == null) this.head = c;
    else this.tail.next = c;
    this.tail = c;
    this.count++;
  }

  pop(or: T): T {
    const c = this.head;
    if (c == null) return or;
    this.head = c.next;
    if (this.head == null) this.tail = null;
    this.count--;
    return c.v;
  }

  fold<A>(acc: A, f: (a: A, v: T) => A): A {
    let c = this.head;
    while (c != null) {
      acc = f(acc, c.v);
      c = c.next;
    }
    return acc;
  }
}

class Point {
  x: i32 = 0;
  y: i32 = 0;
  constructor(x: i32, y: i32) {
    this.x = x;
    this.y = y;
  }
}

function sum8(a: u32, v: u8): u32 {
  return a + v;
}

function manhattan(a: i64, p: Point): i64 {
  return a + i64(p.x < 0 ? -p.x : p.x) + i64(p.y < 0 ? -p.y : p.y);
}

export function main(): void {
  const bytes = new Queue<u8>();
  for (let i: u32 = 250; i < 260; i++) bytes.push(u8(i)); // 250..255, 0..3
  print(`${bytes.count} ${bytes.fold(u32(0), sum8)} ${bytes.pop(0)} ${bytes.pop(0)} ${bytes.count}`);

  const pts: Queue<Point> = new Queue();
  pts.push(new Point(3, -4));
  pts.push(new Point(-10, 1));
  print(`${pts.fold(i64(0), manhattan)} ${pts.pop(new Point(0, 0)).y}`);

  const big = new Queue<u64>();
  big.push(0xFFFF_FFFF_FFFF);
  print(`${big.pop(1)} ${big.pop(7)} ${u32(big.head == null)}`);

  const nested = new Queue<Queue<u8>>();
  nested.push(bytes);
  print(`${nested.pop(bytes).count}`);
  print(`${u32(bump_used() >= 0)}`);
}

/* expect:
10 1521 250 251 8
18 -4
281474976710655 7 1
8
1
*/
