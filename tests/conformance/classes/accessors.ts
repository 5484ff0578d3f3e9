// Getters and setters are methods (C.get_x, C.set_x): a read of the property calls the getter,
// `=` calls the setter; a subclass may override them (dispatched like methods).
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

class Temp {
  raw: i32 = 0;
  get celsius(): i32 {
    return this.raw / 10;
  }
  set celsius(c: i32) {
    this.raw = c * 10;
  }
  get kelvin(): i32 {
    return this.celsius + 273;
  }
}

class Clamped extends Temp {
  set celsius(c: i32) {
    this.raw = (c > 100 ? 100 : c) * 10;
  }
  get celsius(): i32 {
    return this.raw / 10;
  }
}

export function main(): void {
  const t = new Temp();
  t.celsius = 21;
  print(`${t.raw} ${t.celsius} ${t.kelvin}`);
  const c: Temp = new Clamped();
  const v = (c.celsius = 500);
  print(`${v} ${c.raw} ${c.celsius} ${c.kelvin}`);
  t.celsius = t.celsius + 1;
  print(`${t.celsius} ${u32(bump_used() >= 0)}`);
}

/* expect:
210 21 294
500 1000 100 373
22 1
*/
