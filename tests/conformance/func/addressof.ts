// node: skip -- function addresses exist only natively
// addressof(f) gives a function's address as usize; equal for the same function, nonzero, and it
// is the same value as the function used as a value.
import { print } from "../lib/print";

function a(): void {}
function b(): void {}

export function main(): void {
  const pa = addressof(a);
  const pb = addressof(b);
  const f: () => void = a;
  print(`${u32(pa != 0)} ${u32(pa != pb)} ${u32(pa == addressof(a))} ${u32(changetype<usize>(f) == pa)}`);
}

/* expect:
1 1 1 1
*/
