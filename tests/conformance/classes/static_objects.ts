// node: skip -- the shim has no module-level Inline<C> storage (its __static_struct refuses it)
// A module variable `let x!: Inline<C>` of a polymorphic class is a static object: its vtable
// pointer is in its initial data, so it is used through its interface or base without `new` (the
// kernel's drivers, kernel-src/lib/device.ts). Calls on the concrete type stay direct.
import { print } from "../lib/print";

interface Sink {
  put(v: u32): void;
  total(): u32;
}

class Adder implements Sink {
  sum: u32 = 0;
  put(v: u32): void { this.sum += v; }
  total(): u32 { return this.sum; }
}

class Scaler extends Adder {
  scale: u32 = 0;
  put(v: u32): void { this.sum += v * this.scale; }
}

let adder!: Inline<Adder>;
let scaler!: Inline<Scaler>;

function feed(s: Sink, n: u32): u32 {
  for (let i: u32 = 1; i <= n; i++) s.put(i);
  return s.total();
}

export function main(): void {
  scaler.scale = 10;
  print(`${feed(adder, 4)} ${feed(scaler, 3)}`);
  const base: Adder = scaler;
  base.put(1);
  print(`${scaler.total()} ${adder.total()}`);
}

/* expect:
10 60
70 10
*/
