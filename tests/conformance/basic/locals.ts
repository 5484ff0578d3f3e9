// Local variables of every integer type, initialised and reassigned.
import { print } from "../lib/print";

export function main(): void {
  let a: i8 = -5;
  let b: u8 = 200;
  let c: i16 = -3000;
  let d: u16 = 60000;
  let e: i32 = -2000000000;
  let f: u32 = 4000000000;
  let g: i64 = -9000000000;
  let h: u64 = 9000000000;
  print(`${a} ${b} ${c} ${d} ${e} ${f} ${g} ${h}`);
  a = 7;
  b = 0;
  c = 32767;
  d = 1;
  e = 0;
  f = 123;
  g = 5;
  h = 4294967296;
  print(`${a} ${b} ${c} ${d} ${e} ${f} ${g} ${h}`);
}

/* expect:
-5 200 -3000 60000 -2000000000 4000000000 -9000000000 9000000000
7 0 32767 1 0 123 5 4294967296
*/
