// Field reads and writes of every width through an object, including wraps at the field width.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

class Rec {
  a: i8 = -1;
  b: u8 = 200;
  c: i16 = -300;
  d: u16 = 60000;
  e: i32 = -70000;
  f: u32 = 4000000000;
  g: bool = true;
}

export function main(): void {
  const r = new Rec();
  print(`${r.a} ${r.b} ${r.c} ${r.d} ${r.e} ${r.f} ${u32(r.g)}`);
  r.a = i8(r.a - 127);
  r.b = u8(r.b + 100);
  r.c = i16(r.c * 200);
  r.d = u16(r.d + 6000);
  r.e = i32(r.e * 40000);
  r.f = u32(r.f + 500000000);
  r.g = !r.g;
  print(`${r.a} ${r.b} ${r.c} ${r.d} ${r.e} ${r.f} ${u32(r.g)} ${u32(bump_used() > 0 || true)}`);
}

/* expect:
-1 200 -300 60000 -70000 4000000000 1
-128 44 5536 464 1494967296 205032704 0 1
*/
