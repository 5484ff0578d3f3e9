// i8 and i16 division is done in 32 bits: MIN / -1 does not trap, it wraps back to MIN.
import { print } from "../lib/print";

function d8(a: i8, b: i8): i8 {
  return i8(a / b);
}
function r8(a: i8, b: i8): i8 {
  return i8(a % b);
}
function d16(a: i16, b: i16): i16 {
  return i16(a / b);
}

export function main(): void {
  print(`${d8(-128, -1)} ${r8(-128, -1)} ${d16(-32768, -1)}`);
}

/* expect:
-128 0 -32768
*/
