// Same signedness: the wider type wins, the value is sign- or zero-extended.
import { print } from "../lib/print";

function take_i32(x: i32): i32 { return x; }
function take_u32(x: u32): u32 { return x; }

export function main(): void {
  const a: i8 = -100;
  const b: i16 = -30000;
  const c: u8 = 250;
  const d: u16 = 65000;
  print(`${take_i32(a)} ${take_i32(b)} ${take_u32(c)} ${take_u32(d)}`);
  const e = a + b; // i16
  const f = c + d; // u16
  print(`${e} ${f}`);
  let g: i32 = a;
  g = g * 1000;
  print(`${g}`);
}

/* expect:
-100 -30000 250 65000
-30100 65250
-100000
*/
