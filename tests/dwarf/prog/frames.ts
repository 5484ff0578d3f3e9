// Call frames for the debugger tests: a deep recursion whose frames each keep a value in a
// callee-saved register across the call, and a function that needs all five callee-saved
// registers (p..t live across its call). Comments `@name` mark the lines tests/dwarf.test.ts
// looks for.

let sink: u64 = 0;

/** @noinline */
function bottom(x: u64): u64 {
  sink = x; // @bottom
  return x ^ 1;
}

/** @noinline */
export function depth(n: u64, acc: u64): u64 {
  const here = acc * 3 + n;
  if (n == 0) return bottom(here);
  const below = depth(n - 1, here & 0xffff); // @depth-rec
  return below + here;
}

/** @noinline */
export function juggle(a: u64, b: u64, c: u64): u64 {
  const p = a * 7 + 1;
  const q = b * 11 + 2;
  const r = c * 13 + 3;
  const s = a * b + 4;
  const t = b * c + 5;
  const u = depth(20, p + q + r); // @juggle-call
  return ((p ^ q) + (r ^ s)) * t + u;
}
