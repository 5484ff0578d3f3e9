// Physical memory manager: one bit per 4 KiB frame (1 = in use), over the multiboot memory map.
//
// Invariants: a frame is free only if it lies entirely inside an "available" region of the map
// and outside every reserved range: the first MiB (BIOS data, boot structures), the kernel image
// (which holds the boot page tables and stack), the multiboot information, its memory map,
// command line, module list and modules. Frame 0 is never free, so address 0 means "no memory".
// `free_frames` always equals the number of clear bits. Frees are checked (alignment, range,
// double free) and refused with an error line rather than corrupting the map.

import {
  mmap_next, mmap_entry_base, mmap_entry_length, mmap_entry_type, MMAP_AVAILABLE, mmap_phys,
  mmap_length, mbi_address, mbi_size, cmdline_phys, cmdline_length, module_count, module_start,
  module_end, module_string, module_table_phys,
} from "../boot/multiboot";
import { p2v, PAGE_SIZE, page_round_up, page_round_down, kernel_image_end_phys } from "./layout";
import { log_error } from "../lib/log";
import { panic } from "../lib/panic";
import { bit_lowest, irq_save, irq_restore } from "../arch/hal";


const MAX_FRAMES: u64 = 1048576; // 4 GiB of physical memory
const BITMAP_WORDS: u64 = 16384;
const ALL_USED: u64 = 0xffffffffffffffff;
const LOW_MEMORY_END: u64 = 0x100000;

let bitmap!: InlineArray<u64, 16384>;
let extra_refs!: InlineArray<u8, 1048576>; // users of a frame beyond the first (copy-on-write sharing)
let total_frames: u64 = 0; // frames that were ever free (usable RAM minus reserved ranges)
let free_frames: u64 = 0;
let highest_frame: u64 = 0; // one past the highest usable frame
let search_hint: u64 = 0; // no free frame below word search_hint
let bad_frees: u64 = 0;
let reserved_end: u64 = LOW_MEMORY_END; // below it: low memory and the kernel image
let reclaimers!: InlineArray<u64, 4>; // () => void each: asked to give frames back when none is free
let reclaimer_count: i32 = 0;
let reclaiming: bool = false;
let reserved: u64 = 0; // free frames promised to demand-paged memory (pmm_reserve)

type ReclaimFn = () => void;

/**
 * Registers a function pmm_alloc (and pmm_reserve) calls, with the others, once when it finds no
 * free frame: a cache giving back the frames it keeps (mm/slab.ts, mm/ptcache.ts). At most 4.
 */
export function pmm_add_reclaim(fn: ReclaimFn): void {
  if (reclaimer_count == 4) panic(`pmm: more than 4 reclaim functions`);
  reclaimers[reclaimer_count] = changetype<u64>(fn);
  reclaimer_count++;
}

/** Asks every cache for its frames back, once (not again from inside one of them). Interrupts off. */
function reclaim_all(): void {
  if (reclaiming) return;
  reclaiming = true;
  for (let i: i32 = 0; i < reclaimer_count; i++) changetype<ReclaimFn>(reclaimers[i])();
  reclaiming = false;
}

function is_used(frame: u64): bool {
  return (bitmap[i32(frame >> 6)] & (u64(1) << (frame & 63))) != 0;
}

function set_used(frame: u64): void {
  bitmap[i32(frame >> 6)] |= u64(1) << (frame & 63);
}

function set_free(frame: u64): void {
  bitmap[i32(frame >> 6)] &= ~(u64(1) << (frame & 63));
}

function free_range(start: u64, end: u64): void {
  let f = page_round_up(start) / PAGE_SIZE;
  let last = page_round_down(end) / PAGE_SIZE;
  if (last > MAX_FRAMES) last = MAX_FRAMES;
  for (; f < last; f++) {
    if (is_used(f)) {
      set_free(f);
      free_frames++;
    }
  }
  if (last > highest_frame) highest_frame = last;
}

/** Marks [start, end) in use, whole frames, whatever the map said. */
function reserve_range(start: u64, end: u64): void {
  let f = page_round_down(start) / PAGE_SIZE;
  let last = page_round_up(end) / PAGE_SIZE;
  if (last > MAX_FRAMES) last = MAX_FRAMES;
  for (; f < last; f++) {
    if (!is_used(f)) {
      set_used(f);
      free_frames--;
    }
  }
}

export function pmm_init(): void {
  memset(addr_of(bitmap), 0xff, BITMAP_WORDS * 8);
  free_frames = 0;
  let e = mmap_next(0);
  while (e != 0) {
    if (mmap_entry_type(e) == MMAP_AVAILABLE) {
      let base = mmap_entry_base(e);
      free_range(base, base + mmap_entry_length(e));
    }
    e = mmap_next(e);
  }
  reserve_range(0, LOW_MEMORY_END);
  reserved_end = kernel_image_end_phys();
  reserve_range(0, reserved_end); // the image starts at 1 MiB
  reserve_range(mbi_address(), mbi_address() + mbi_size());
  reserve_range(mmap_phys(), mmap_phys() + mmap_length());
  let cmd = cmdline_phys();
  if (cmd != 0) reserve_range(cmd, cmd + cmdline_length() + 1);
  let mods = module_count();
  if (mods > 0) reserve_range(module_table_phys(), module_table_phys() + u64(mods) * 16);
  for (let i: u32 = 0; i < mods; i++) {
    reserve_range(module_start(i), module_end(i));
    reserve_range(module_string(i), module_string(i) + PAGE_SIZE); // strings are short; a page is enough
  }
  total_frames = free_frames;
  search_hint = 0;
}

/**
 * One free frame's physical address, or 0 when memory is exhausted (after asking the caches).
 * Frames promised to demand-paged memory (pmm_reserve) are not handed out here.
 */
export function pmm_alloc(): u64 {
  let pa = find_free(reserved);
  if (pa != 0 || reclaimer_count == 0 || reclaiming) return pa;
  let flags = irq_save();
  reclaim_all();
  irq_restore(flags);
  return find_free(reserved);
}

/**
 * Promises n frames to demand-paged memory (mm/vma.ts): they stay free but pmm_alloc leaves them
 * alone, so a first touch later always finds its frame (no overcommit). False if fewer than n
 * frames are free and unpromised (after asking the caches).
 */
export function pmm_reserve(n: u64): bool {
  let flags = irq_save();
  if (free_frames < reserved + n) reclaim_all();
  let ok = free_frames >= reserved + n;
  if (ok) reserved += n;
  irq_restore(flags);
  return ok;
}

/** Gives back promises of frames never taken (memory unmapped before it was touched). */
export function pmm_unreserve(n: u64): void {
  let flags = irq_save();
  if (n > reserved) panic(`pmm: unreserve of ${n} frames, only ${reserved} reserved`);
  reserved -= n;
  irq_restore(flags);
}

/** A zeroed frame against one promised frame (a first touch of demand-paged memory). */
export function pmm_alloc_reserved_zeroed(): u64 {
  let flags = irq_save();
  if (reserved == 0) panic(`pmm: no frame reserved`);
  reserved--;
  let pa = find_free(0);
  irq_restore(flags);
  if (pa != 0) memset(p2v(pa), 0, PAGE_SIZE);
  return pa;
}

/**
 * A zeroed page-table frame for a demand-paged page: it may use promised frames when no other is
 * left (a table is a few frames per 2 MiB; the promise covers the pages, see docs/memory.md).
 */
export function pmm_alloc_table_zeroed(): u64 {
  let pa = find_free(0);
  if (pa != 0) memset(p2v(pa), 0, PAGE_SIZE);
  return pa;
}

/** Gives back a frame from pmm_alloc_reserved_zeroed that could not be used, with its promise. */
export function pmm_free_reserved(pa: u64): void {
  pmm_free(pa);
  let flags = irq_save();
  reserved++;
  irq_restore(flags);
}

export function pmm_reserved(): u64 {
  return reserved;
}

/** A free frame, leaving `keep` free ones alone. */
function find_free(keep: u64): u64 {
  let flags = irq_save();
  if (free_frames <= keep) {
    irq_restore(flags);
    return 0;
  }
  let words = (highest_frame + 63) / 64;
  for (let w = search_hint; w < words; w++) {
    let bits = bitmap[i32(w)];
    if (bits == ALL_USED) continue;
    let frame = w * 64 + u64(bit_lowest(~bits));
    if (frame >= highest_frame) break;
    set_used(frame);
    free_frames--;
    search_hint = w;
    irq_restore(flags);
    return frame * PAGE_SIZE;
  }
  irq_restore(flags);
  return 0;
}

/** A free frame filled with zeroes (page tables, user pages), or 0. */
export function pmm_alloc_zeroed(): u64 {
  let pa = pmm_alloc();
  if (pa != 0) memset(p2v(pa), 0, PAGE_SIZE);
  return pa;
}

/**
 * Frees a frame, or drops one reference to a shared one (pmm_share): a frame is free only when
 * its last user frees it.
 */
export function pmm_free(pa: u64): void {
  let frame = pa / PAGE_SIZE;
  if ((pa & (PAGE_SIZE - 1)) != 0 || frame >= highest_frame || pa < reserved_end || !is_used(frame)) {
    bad_frees++;
    log_error(`pmm: bad free of frame ${hex(pa)} (unaligned, reserved, out of range or already free)`);
    return;
  }
  let flags = irq_save();
  if (extra_refs[i32(frame)] != 0) {
    extra_refs[i32(frame)]--;
    irq_restore(flags);
    return;
  }
  set_free(frame);
  free_frames++;
  if (frame / 64 < search_hint) search_hint = frame / 64;
  irq_restore(flags);
}

/** One more user of an allocated frame (a page shared copy-on-write); false at the limit. */
export function pmm_share(pa: u64): bool {
  let frame = pa / PAGE_SIZE;
  if (frame >= highest_frame || !is_used(frame) || extra_refs[i32(frame)] == 255) return false;
  let flags = irq_save();
  extra_refs[i32(frame)]++;
  irq_restore(flags);
  return true;
}

/** True when more than one user holds the frame. */
export function pmm_is_shared(pa: u64): bool {
  let frame = pa / PAGE_SIZE;
  return frame < highest_frame && extra_refs[i32(frame)] != 0;
}

export function pmm_free_frames(): u64 {
  return free_frames;
}

export function pmm_total_frames(): u64 {
  return total_frames;
}

export function pmm_used_frames(): u64 {
  return total_frames - free_frames;
}

/** One past the highest usable physical address: how much the direct map must cover. */
export function pmm_memory_end(): u64 {
  return highest_frame * PAGE_SIZE;
}

export function pmm_bad_frees(): u64 {
  return bad_frees;
}

/** True when the frame at pa is currently allocated or reserved. */
export function pmm_is_used(pa: u64): bool {
  return is_used(pa / PAGE_SIZE);
}
