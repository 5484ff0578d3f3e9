// const integers are compile-time constants, usable in other constants, switch cases and sizes.
import { print } from "../lib/print";

const PAGE_SHIFT: u32 = 12;
const PAGE_SIZE: u32 = 1 << PAGE_SHIFT;
const PAGE_MASK: u32 = u32(~(PAGE_SIZE - 1));
const KB: i32 = 1024;
const MB: i32 = KB * KB;
const NEG: i32 = -MB;
const SLOTS: i32 = 8;

let table!: InlineArray<u32, 8>;

function round_up(x: u32): u32 {
  return (x + PAGE_SIZE - 1) & PAGE_MASK;
}

function name(x: i32): string {
  switch (x) {
    case KB: return "KB";
    case MB: return "MB";
    case NEG: return "-MB";
  }
  return "?";
}

export function main(): void {
  print(`${PAGE_SIZE} ${hex(PAGE_MASK)} ${round_up(1)} ${round_up(4096)} ${round_up(4097)}`);
  print(`${name(1024)} ${name(1048576)} ${name(-1048576)} ${name(0)}`);
  for (let i = 0; i < SLOTS; i++) table[i] = u32(i) << PAGE_SHIFT;
  print(`${table[SLOTS - 1]} ${table.length}`);
}

/* expect:
4096 0xfffff000 4096 4096 8192
KB MB -MB ?
28672 8
*/
