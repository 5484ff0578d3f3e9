// node: skip -- the i64 default needs 64-bit arithmetic
// A literal with no context is i32 if it fits, else i64, else u64.
import { print } from "../lib/print";

export function main(): void {
  const a = 2147483647;
  const b = 2147483648;
  const c = 9223372036854775808;
  const d = -2147483648;
  print(`${a + 1} ${b + 1} ${c + 1} ${d - 1}`);
  print(`${sizeof<i32>()} ${u32(0)}`);
}

/* expect:
-2147483648 2147483649 9223372036854775809 2147483647
4 0
*/
