// Functions the debugger stops in. Both recurse, so the inliner keeps them out of line.
// Comments `@name` mark the lines tests/dwarf.test.ts looks for.

export function fact(n: u64): u64 {
  if (n <= 1) return 1; // @fact-base
  return n * fact(n - 1); // @fact-rec
}

export function sum_to(n: u32): u32 {
  let s: u32 = 0; // @sum-init
  for (let i: u32 = 1; i <= n; i++) {
    s += i; // @sum-loop
  }
  if (s > 1000000) return sum_to(n / 2);
  return s; // @sum-ret
}
