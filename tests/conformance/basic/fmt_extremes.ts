// node: skip -- 64-bit extremes are not exact in JS numbers
// Decimal formatting of the 64-bit extremes (the print library negates MIN as unsigned).
import { print } from "../lib/print";

export function main(): void {
  const a: i64 = -9223372036854775808;
  const b: i64 = 9223372036854775807;
  const c: u64 = 18446744073709551615;
  const d: isize = -1;
  const e: usize = 0;
  print(`${a} ${b} ${c} ${d} ${e}`);
}

/* expect:
-9223372036854775808 9223372036854775807 18446744073709551615 -1 0
*/
