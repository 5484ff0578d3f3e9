// node: skip -- reads its own frame (frame_address) and compares code addresses
// /** @noinline */ keeps a function out of line even when it is small enough for the inliner, so
// the return address in its frame is its caller's call site (the heap reports callers this way).
import { print } from "../lib/print";

let reported: usize = 0;

/** @noinline */
function report(): void {
  reported = load<usize>(frame_address(), 8);
}

/** @noinline */
function caller(): void {
  report();
}

export function main(): void {
  caller();
  let start = addressof(caller);
  print(`return address inside caller: ${reported > start && reported < start + 64 ? 1 : 0}`);
}

/* expect:
return address inside caller: 1
*/
