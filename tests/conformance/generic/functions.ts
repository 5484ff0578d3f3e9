// Generic functions are monomorphised: one instance per type argument, written or inferred from
// the arguments' own types (so an integer argument keeps its width and signedness).
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

function pick<T>(c: bool, a: T, b: T): T {
  return c ? a : b;
}

function twice<T>(x: T, f: (v: T) => T): T {
  return f(f(x));
}

function inc8(v: u8): u8 {
  return v + 1;
}

function dbl(v: i64): i64 {
  return v * 2;
}

let xs!: InlineArray<i16, 4>;

// The constraint lets TypeScript allow `>`; the instance compares as i16 (signed).
function largest<T extends i64>(a: T, b: T, c: T): T {
  let m = a;
  if (b > m) m = b;
  if (c > m) m = c;
  return m;
}

class Pair {
  a: i32 = 0;
  b: i32 = 0;
}

function first<T extends Pair>(p: T): i32 {
  return p.a;
}

export function main(): void {
  print(`${pick<u8>(true, 255, 0)} ${pick(false, i32(-1), 7)} ${pick<u64>(true, 0xFFFF_FFFF_FF, 1)}`);
  const w: u8 = 250;
  print(`${twice(w, inc8)} ${twice(i64(-3), dbl)}`);
  xs[0] = -5;
  xs[1] = 300;
  xs[2] = -32768;
  xs[3] = 12;
  print(`${largest(xs[0], xs[1], xs[2])} ${largest(u32(1), 0xFFFF_FFFF, 5)}`);
  const p = new Pair();
  p.a = 41;
  print(`${first(p) + 1}`);
  const b: u8 = pick(true, w, 3); // T = u8 from w; 3 takes u8
  print(`${b + 1}`);
}

/* expect:
255 7 1099511627775
252 -12
300 4294967295
42
251
*/
