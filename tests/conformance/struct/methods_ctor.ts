// A constructor with parameters, field initialisers run before it, and non-virtual methods that
// read and write `this` and call each other.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

class Vec {
  x: i32 = 0;
  y: i32 = 0;
  scale: i32 = 1;
  constructor(x: i32, y: i32) {
    this.x = x * this.scale;
    this.y = y;
  }
  dot(o: Vec): i32 {
    return this.x * o.x + this.y * o.y;
  }
  add(o: Vec): void {
    this.x += o.x;
    this.y += o.y;
  }
  len2(): i32 {
    return this.dot(this);
  }
}

export function main(): void {
  const a = new Vec(3, 4);
  const b = new Vec(-1, 2);
  print(`${a.len2()} ${a.dot(b)} ${b.len2()}`);
  a.add(b);
  a.add(b);
  print(`${a.x} ${a.y} ${a.len2()} ${u32(bump_used() >= 0)}`);
}

/* expect:
25 5 5
1 8 65 1
*/
