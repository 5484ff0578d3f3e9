// /** @inline */ functions behave exactly like calls: arguments evaluated once, in order, early
// returns, and recursion-free nesting of inline calls.
import { print } from "../lib/print";

let trace: i32 = 0;
function next(v: i32): i32 {
  trace = trace * 10 + v;
  return v;
}

/** @inline */
function max(a: i32, b: i32): i32 {
  if (a > b) return a;
  return b;
}

/** @inline */
function clamp(x: i32, lo: i32, hi: i32): i32 {
  return max(lo, x > hi ? hi : x);
}

/** @inline */
function square(x: u32): u32 {
  return x * x;
}

export function main(): void {
  print(`${max(next(3), next(5))} trace=${trace}`);
  print(`${clamp(-5, 0, 10)} ${clamp(5, 0, 10)} ${clamp(50, 0, 10)}`);
  print(`${square(square(3))} ${square(0xFFFF)}`);
}

/* expect:
5 trace=35
0 5 10
81 4294836225
*/
