// COMPILER NEED (found by kernel-src/mm/heap.ts): kfree reports its caller as
// `load<u64>(frame_address(), 8)`, the return address of its own frame. The optimiser inlines
// small functions, and then frame_address() is the caller's frame, so the heap prints the
// caller's caller (the test boot showed "double free ..., called from ktest_main+0x141" for a
// kfree written in test_heap_errors). Needed: a `/** @noinline */` JSDoc tag (the counterpart of
// `@inline`), or a `return_address()` intrinsic that gives the source-level caller even when
// inlined. Expected below: report() prints the address of a call site inside main, not inside
// main's caller.

let reported: usize = 0;

export function report(): void {
  reported = load<usize>(frame_address(), 8);
}

export function main(): i32 {
  report();
  return reported >= addressof(main) && reported < addressof(main) + 64 ? 0 : 1;
}
