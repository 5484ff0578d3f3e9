// Class inheritance: a subclass's object starts with its base's fields, overriding methods are
// called through the vtable from a base-typed reference, super calls reach the base's methods
// and constructor, abstract methods are implemented below.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

abstract class Shape {
  id: u32 = 0;
  next: Shape | null = null;
  constructor(id: u32) {
    this.id = id;
  }
  abstract area(): u32;
  describe(): u32 {
    return this.id * 1000 + this.area(); // dispatches: area is abstract
  }
  scale(): u32 {
    return 1;
  }
}

class Rect extends Shape {
  w: u32 = 0;
  h: u32 = 0;
  constructor(id: u32, w: u32, h: u32) {
    super(id);
    this.w = w;
    this.h = h;
  }
  area(): u32 {
    return this.w * this.h * this.scale();
  }
}

class Square extends Rect {
  constructor(id: u32, s: u32) {
    super(id, s, s);
  }
  scale(): u32 {
    return 2 + super.scale(); // 3
  }
}

class Tri extends Shape {
  b: u32 = 0;
  hh: u32 = 10; // an initialiser runs after super(...)
  area(): u32 {
    return (this.b * this.hh) / 2;
  }
}

function total(first: Shape | null): u32 {
  let t: u32 = 0;
  for (let s = first; s != null; s = s.next) t += s.area();
  return t;
}

export function main(): void {
  const r = new Rect(1, 3, 4);
  const s = new Square(2, 5);
  const t = new Tri(3); // the implicit constructor takes Shape's parameters
  t.b = 6;
  const shapes: Shape = s;
  print(`${r.area()} ${s.area()} ${t.area()} ${shapes.area()} ${shapes.id}`);
  print(`${r.describe()} ${s.describe()} ${t.describe()}`);
  const asRect: Rect = s;
  print(`${asRect.area()} ${asRect.w} ${asRect.scale()} ${r.scale()}`);
  r.next = s;
  s.next = t;
  print(`${total(r)} ${u32(shapes == asRect)} ${u32(bump_used() >= 0)}`);
  const pick: Shape = r.w > 3 ? r : t; // two subclasses of Shape, as a Shape
  const pick2 = r.w > 3 ? shapes : s; // a Shape and a subclass: a Shape
  print(`${pick.area()} ${pick2.area()}`);
}

/* expect:
12 75 30 75 2
1012 2075 3030
75 5 3 1
117 1 1
30 75
*/
