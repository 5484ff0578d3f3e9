// Multiboot v1 boot information: memory map, command line and modules.
//
// The loader leaves a multiboot_info structure in low physical memory; we read it through the
// direct map (valid from the boot page tables on). Only fields whose flag bit is set are trusted.
// The memory map entries are packed (their u64 fields are 4-byte aligned), so they are read with
// load<T>(addr, offset) instead of a struct view.

import { p2v } from "../mm/layout";
import { log_info, log_warn, kprint, put_bytes } from "../lib/log";

export const MULTIBOOT_MAGIC: u32 = 0x2badb002;
const MBI_FLAG_MEM: u32 = 1 << 0;
const MBI_FLAG_CMDLINE: u32 = 1 << 2;
const MBI_FLAG_MODS: u32 = 1 << 3;
const MBI_FLAG_MMAP: u32 = 1 << 6;
export const MMAP_AVAILABLE: u32 = 1;

/** struct multiboot_info, as far as we use it (all fields are u32, so the C layout matches). */
class MultibootInfo {
  flags: u32 = 0;
  mem_lower: u32 = 0;
  mem_upper: u32 = 0;
  boot_device: u32 = 0;
  cmdline: u32 = 0;
  mods_count: u32 = 0;
  mods_addr: u32 = 0;
  syms0: u32 = 0;
  syms1: u32 = 0;
  syms2: u32 = 0;
  syms3: u32 = 0;
  mmap_length: u32 = 0;
  mmap_addr: u32 = 0;
}

/** struct multiboot_mod_list */
class MultibootModule {
  mod_start: u32 = 0;
  mod_end: u32 = 0;
  string: u32 = 0;
  reserved: u32 = 0;
}

let mbi_phys: u64 = 0;
let mbi_flags: u32 = 0;

export function multiboot_init(magic: u32, phys: u64): bool {
  if (magic != MULTIBOOT_MAGIC) return false;
  mbi_phys = phys;
  mbi_flags = info().flags;
  return true;
}

function info(): MultibootInfo {
  return changetype<MultibootInfo>(p2v(mbi_phys));
}

export function mbi_address(): u64 {
  return mbi_phys;
}

export function mbi_size(): u64 {
  return sizeof<MultibootInfo>();
}

// ---- memory map ----
export function mmap_present(): bool {
  return (mbi_flags & MBI_FLAG_MMAP) != 0;
}

export function mmap_phys(): u64 {
  return u64(info().mmap_addr);
}

export function mmap_length(): u64 {
  return u64(info().mmap_length);
}

/** Entry iteration: pass 0 for the first entry; returns 0 after the last. */
export function mmap_next(entry: usize): usize {
  let start = p2v(mmap_phys());
  let end = start + mmap_length();
  let next = entry == 0 ? start : entry + u64(load<u32>(entry)) + 4;
  return next + 24 <= end ? next : 0;
}

export function mmap_entry_base(entry: usize): u64 {
  return load<u64>(entry, 4);
}

export function mmap_entry_length(entry: usize): u64 {
  return load<u64>(entry, 12);
}

export function mmap_entry_type(entry: usize): u32 {
  return load<u32>(entry, 20);
}

/** Sum of the available regions, in bytes. */
export function mmap_total_available(): u64 {
  let total: u64 = 0;
  let e = mmap_next(0);
  while (e != 0) {
    if (mmap_entry_type(e) == MMAP_AVAILABLE) total += mmap_entry_length(e);
    e = mmap_next(e);
  }
  return total;
}

// ---- command line ----
/** The command line as a physical address of a C string, or 0. */
export function cmdline_phys(): u64 {
  if ((mbi_flags & MBI_FLAG_CMDLINE) == 0) return 0;
  return u64(info().cmdline);
}

export function cmdline_length(): u64 {
  let pa = cmdline_phys();
  if (pa == 0) return 0;
  let p = p2v(pa);
  let n: u64 = 0;
  while (load<u8>(p + n) != 0) n++;
  return n;
}

/** True when `word` appears in the command line as a whole space-separated word. */
export function cmdline_has(word: string): bool {
  let pa = cmdline_phys();
  if (pa == 0) return false;
  let p = p2v(pa);
  let n = cmdline_length();
  let w = u64(word.length);
  let i: u64 = 0;
  while (i < n) {
    while (i < n && load<u8>(p + i) == 32) i++;
    let start = i;
    while (i < n && load<u8>(p + i) != 32) i++;
    if (i - start == w && memcmp(p + start, changetype<usize>(word), w) == 0) return true;
  }
  return false;
}

// ---- modules ----
export function module_count(): u32 {
  if ((mbi_flags & MBI_FLAG_MODS) == 0) return 0;
  return info().mods_count;
}

function module(i: u32): MultibootModule {
  return changetype<MultibootModule>(p2v(u64(info().mods_addr)) + u64(i) * sizeof<MultibootModule>());
}

export function module_start(i: u32): u64 {
  return u64(module(i).mod_start);
}

export function module_end(i: u32): u64 {
  return u64(module(i).mod_end);
}

export function module_string(i: u32): u64 {
  return u64(module(i).string);
}

export function module_table_phys(): u64 {
  return u64(info().mods_addr);
}

/** Prints what the loader told us. */
export function multiboot_log(): void {
  let inf = info();
  if ((mbi_flags & MBI_FLAG_MEM) != 0)
    log_info(`Multiboot: lower memory ${inf.mem_lower} KB, upper memory ${inf.mem_upper} KB`);
  if (!mmap_present()) {
    log_warn(`Multiboot: no memory map`);
  } else {
    let e = mmap_next(0);
    while (e != 0) {
      let base = mmap_entry_base(e);
      log_info(`  mmap ${hex(base)}-${hex(base + mmap_entry_length(e) - 1)} type ${mmap_entry_type(e)}`);
      e = mmap_next(e);
    }
  }
  let pa = cmdline_phys();
  if (pa != 0) {
    kprint(`[INFO] Multiboot: command line "`);
    put_bytes(p2v(pa), cmdline_length());
    kprint(`"\n`);
  }
  let mods = module_count();
  for (let i: u32 = 0; i < mods; i++) {
    log_info(`Multiboot: module ${i} at ${hex(module_start(i))}-${hex(module_end(i))}`);
  }
}
