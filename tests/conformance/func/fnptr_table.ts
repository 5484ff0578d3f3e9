// A constant table of functions in .rodata, indexed at run time (like an IDT or syscall table).
import { print } from "../lib/print";

function h0(x: u32): u32 { return x + 1; }
function h1(x: u32): u32 { return x * 2; }
function h2(x: u32): u32 { return x * x; }
function h3(x: u32): u32 { return u32(0 - x); }

const HANDLERS: ((x: u32) => u32)[] = [h0, h1, h2, h3];

export function main(): void {
  for (let i = 0; i < HANDLERS.length; i++) print(`${i}: ${HANDLERS[i](7)}`);
  let v: u32 = 1;
  for (let i = 0; i < 8; i++) v = HANDLERS[i & 1](v);
  print(`${v}`);
}

/* expect:
0: 8
1: 14
2: 49
3: 4294967289
46
*/
