// Module variables: initialised (.data), zero (.bss), of every width, read and written by functions.
import { print } from "../lib/print";

let a: i8 = -3;
let b: u8 = 250;
let c: i16 = -1234;
let d: u16 = 54321;
let e: i32 = -123456789;
let f: u32 = 3000000000;
let z32: u32 = 0;
let flag: bool = true;
let off: bool = false;

function touch(): void {
  a = a - 1;
  b = b + 1;
  c = c * 2;
  d = d - 1;
  e = e + 1;
  f = f + 1;
  z32 = z32 + 7;
  flag = !flag;
  off = !off;
}

export function main(): void {
  print(`${a} ${b} ${c} ${d} ${e} ${f} ${z32} ${u32(flag)} ${u32(off)}`);
  touch();
  print(`${a} ${b} ${c} ${d} ${e} ${f} ${z32} ${u32(flag)} ${u32(off)}`);
}

/* expect:
-3 250 -1234 54321 -123456789 3000000000 0 1 0
-4 251 -2468 54320 -123456788 3000000001 7 0 1
*/
