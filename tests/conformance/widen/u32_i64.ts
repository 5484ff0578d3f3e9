// node: skip -- 64-bit arithmetic
// u32 mixes with i64 (zero-extended), i32 widens to i64 (sign-extended).
import { print } from "../lib/print";

export function main(): void {
  const a: u32 = 4294967295;
  const b: i64 = -1;
  const c = a + b;
  const d: i32 = -5;
  const e: i64 = d;
  const f: u64 = a;
  const g: i64 = a;
  print(`${c} ${e} ${f} ${g} ${e * g}`);
}

/* expect:
4294967294 -5 4294967295 4294967295 -21474836475
*/
