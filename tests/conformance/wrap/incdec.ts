// node: skip -- ++/-- wrap at the variable's width
// ++ and -- wrap at the width of the variable, prefix yields the new value, postfix the old.
import { print } from "../lib/print";

export function main(): void {
  let a: u8 = 255;
  const a1 = a++;
  let b: i8 = -128;
  const b1 = --b;
  let c: u16 = 0;
  const c1 = c--;
  let d: i32 = 2147483647;
  const d1 = ++d;
  let e: u64 = 18446744073709551615;
  e++;
  print(`${a1} ${a} ${b1} ${b} ${c1} ${c} ${d1} ${d} ${e}`);
}

/* expect:
255 0 127 127 0 65535 -2147483648 -2147483648 0
*/
