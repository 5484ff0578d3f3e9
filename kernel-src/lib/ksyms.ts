// Kernel symbol table lookup: turns a code address into `function+0xoffset`.
//
// The linker writes section .ksymtab: a u64 count, then `count` entries {u64 addr; u64 size;
// u64 name} sorted by addr, where name is the virtual address of a NUL-terminated string. We only
// read it, so a binary search is all there is.

import { put_hex, put_char, put_str } from "./log";

declare const __ksymtab_start: u8;
declare const __ksymtab_end: u8;

const ENTRY_SIZE: u64 = 24;

function table_count(): u64 {
  let start = addr_of(__ksymtab_start);
  let end = addr_of(__ksymtab_end);
  if (end - start < 8) return 0;
  let count = load<u64>(start);
  if (8 + count * ENTRY_SIZE > end - start) return 0; // malformed: trust nothing
  return count;
}

function entry(i: u64): usize {
  return addr_of(__ksymtab_start) + 8 + i * ENTRY_SIZE;
}

/**
 * The table entry of the function containing `addr`, or 0: the last entry starting at or below
 * addr, if addr is inside it (a symbol of size 0, an assembly label, extends to the next one).
 */
export function ksym_find(addr: usize): usize {
  let count = table_count();
  let lo: u64 = 0;
  let hi = count;
  while (lo < hi) {
    let mid = lo + (hi - lo) / 2;
    if (load<u64>(entry(mid)) <= addr) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return 0;
  let e = entry(lo - 1);
  let size = load<u64>(e, 8);
  if (addr - load<u64>(e) < size) return e;
  if (size == 0 && (lo == count || addr < load<u64>(entry(lo)))) return e;
  return 0;
}

export function ksym_addr(e: usize): u64 {
  return load<u64>(e);
}

/** The symbol's name as a C string address. */
export function ksym_name(e: usize): usize {
  return load<u64>(e, 16);
}

/** Number of symbols in the table (0 when the linker wrote none). */
export function ksym_count(): u64 {
  return table_count();
}

/** Prints `name+0xoff`, or the bare address when no symbol contains it. */
export function put_symbol(addr: usize): void {
  let e = ksym_find(addr);
  if (e == 0) {
    put_hex(addr);
    return;
  }
  let name = ksym_name(e);
  let i: u64 = 0;
  while (load<u8>(name + i) != 0) {
    put_char(load<u8>(name + i));
    i++;
  }
  put_str("+");
  put_hex(addr - ksym_addr(e));
}
