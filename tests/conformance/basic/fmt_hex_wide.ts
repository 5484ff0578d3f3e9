// node: skip -- hex of negative and 64-bit values: the width is only known natively
// hex() zero-extends from the value's own width: hex(i8(-1)) is 0xff, hex(i64(-1)) 16 f's.
import { print } from "../lib/print";

export function main(): void {
  const a: i8 = -1;
  const b: i16 = -2;
  const c: i32 = -16;
  const d: i64 = -1;
  const e: u64 = 0x8000000000000000;
  const f: usize = 0xFFFFFFFF80000000;
  print(`${hex(a)} ${hex(b)} ${hex(c)} ${hex(d)} ${hex(e)} ${hex(f)}`);
}

/* expect:
0xff 0xfffe 0xfffffff0 0xffffffffffffffff 0x8000000000000000 0xffffffff80000000
*/
