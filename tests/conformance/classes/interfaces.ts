// Interfaces: a call through an interface-typed reference dispatches through the object's
// vtable; a class may implement several interfaces, inherit an implementation from its base,
// and an interface may extend another.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

interface Device {
  read(): u32;
  write(v: u32): void;
}

interface Named {
  id(): u32;
}

interface Port extends Device {
  width(): u8;
}

class Counter implements Device, Named {
  n: u32 = 0;
  read(): u32 {
    return this.n;
  }
  write(v: u32): void {
    this.n += v;
  }
  id(): u32 {
    return 1;
  }
}

class Latch implements Port {
  last: u32 = 0;
  writes: u16 = 0;
  read(): u32 {
    return this.last;
  }
  write(v: u32): void {
    this.last = v;
    this.writes++;
  }
  width(): u8 {
    return 32;
  }
}

class Loud extends Counter implements Named {
  id(): u32 {
    return 2;
  }
}

class Slot {
  dev: Device | null = null;
}

function pump(d: Device, times: u32): u32 {
  for (let i: u32 = 1; i <= times; i++) d.write(i);
  return d.read();
}

function ident(x: Named): u32 {
  return x.id();
}

export function main(): void {
  const c = new Counter();
  const l = new Latch();
  const loud = new Loud();
  print(`${pump(c, 4)} ${pump(l, 4)} ${pump(loud, 3)} ${l.writes}`);
  const p: Port = l;
  print(`${p.width()} ${p.read()} ${ident(c)} ${ident(loud)} ${loud.id()}`);
  const slot = new Slot();
  slot.dev = loud;
  const d = slot.dev;
  if (d != null) d.write(100);
  print(`${loud.read()} ${u32(d == loud)} ${u32(bump_used() >= 0)}`);
}

/* expect:
10 4 6 4
32 4 1 2 2
106 1 1
*/
