// Kernel heap at HEAP_BASE: the large allocations behind kmalloc (mm/kmalloc.ts), first fit with
// coalescing.
//
// The heap is one run of blocks, each a 32-byte header, the payload, and a 16-byte footer:
//   header: size (whole block, multiple of 16) | magic | check | next/caller | prev/requested
//   footer: size | magic
// Payloads are 16-byte aligned. Free blocks are on a doubly linked free list (LIFO) that first fit
// walks; on free a block merges with free neighbours at once (footers find the previous block),
// so no two free blocks are ever adjacent. A used "prologue" footer sits at the start and a
// size-0 used "epilogue" header at the end, so merging needs no bounds checks. The first payload
// is at HEAP_BASE + 0x40. The heap starts at 16 MiB and grows by mapping fresh frames, up to 256 MiB;
// it shrinks back (trim) when a free block at the top covers whole pages beyond the first 16 MiB:
// those pages are unmapped and their frames go back to the PMM (the kernel's table pages stay).
// Every header carries a check word (derived from size and magic): kfree and krealloc refuse a
// block whose header or footer does not match, or that is already free, and report the caller.

import { HEAP_BASE, HEAP_INITIAL_SIZE, HEAP_MAX_SIZE, PAGE_SIZE, page_round_up } from "./layout";
import { pmm_alloc, pmm_free } from "./pmm";
import { vmm_map, vmm_unmap_kernel_range, vmm_kernel_space, PTE_W, PTE_NX, PTE_G, PTE_OWNED } from "./vmm";
import { log_info, kprint, put_char } from "../lib/log";
import { put_symbol } from "../lib/ksyms";
import { irq_save, irq_restore } from "../arch/hal";
import { panic } from "../lib/panic";

const HDR: u64 = 32;
const FTR: u64 = 16;
const MIN_BLOCK: u64 = 64;
const MAGIC_USED: u32 = 0x5ca1ab1e;
const MAGIC_FREE: u32 = 0xf4eeb10c;
const CHECK_SALT: u32 = 0xa5a5a5a5;
const GROW_STEP: u64 = 1024 * 1024;

class HeapBlock {
  size: u64 = 0;
  magic: u32 = 0;
  check: u32 = 0;
  next: u64 = 0; // free: next free block; used: the allocating caller's address
  prev: u64 = 0; // free: previous free block; used: the requested size
}

let heap_end: u64 = 0; // one past the last mapped byte
let free_head: u64 = 0;
let used_bytes: u64 = 0; // sum of used block sizes (headers included)
let live_blocks: u64 = 0;
let alloc_calls: u64 = 0;
let free_calls: u64 = 0;
let error_count: u64 = 0;
let peak_used: u64 = 0;

function blk(addr: u64): HeapBlock {
  return changetype<HeapBlock>(addr);
}

function check_of(size: u64, magic: u32): u32 {
  return u32(size) ^ u32(size >> 32) ^ magic ^ CHECK_SALT;
}

function set_block(b: u64, size: u64, magic: u32): void {
  let h = blk(b);
  h.size = size;
  h.magic = magic;
  h.check = check_of(size, magic);
  store<u64>(b + size - FTR, size);
  store<u64>(b + size - FTR + 8, u64(magic));
}

function header_ok(b: u64): bool {
  let h = blk(b);
  return h.check == check_of(h.size, h.magic) && h.size >= MIN_BLOCK && (h.size & 15) == 0 &&
    b + h.size <= heap_end - HDR && load<u64>(b + h.size - FTR) == h.size &&
    load<u64>(b + h.size - FTR + 8) == u64(h.magic);
}

function list_insert(b: u64): void {
  let h = blk(b);
  h.prev = 0;
  h.next = free_head;
  if (free_head != 0) blk(free_head).prev = b;
  free_head = b;
}

function list_remove(b: u64): void {
  let h = blk(b);
  if (h.prev != 0) blk(h.prev).next = h.next;
  else free_head = h.next;
  if (h.next != 0) blk(h.next).prev = h.prev;
}

/** Marks block b (of `size`) free, merges it with free neighbours and puts it on the free list. */
function release(b: u64, size: u64): void {
  let next = b + size;
  if (blk(next).magic == MAGIC_FREE) {
    list_remove(next);
    size += blk(next).size;
  }
  if (load<u64>(b - FTR + 8) == u64(MAGIC_FREE)) {
    let prev = b - load<u64>(b - FTR);
    list_remove(prev);
    size += b - prev;
    b = prev;
  }
  set_block(b, size, MAGIC_FREE);
  list_insert(b);
}

/** Turns free block b into a used block of `need` bytes, splitting off the rest if big enough. */
function take(b: u64, need: u64, request: u64, caller: u64): u64 {
  list_remove(b);
  let size = blk(b).size;
  if (size - need >= MIN_BLOCK) {
    set_block(b + need, size - need, MAGIC_FREE);
    list_insert(b + need);
    size = need;
  }
  set_block(b, size, MAGIC_USED);
  blk(b).next = caller;
  blk(b).prev = request;
  used_bytes += size;
  live_blocks++;
  if (used_bytes > peak_used) peak_used = used_bytes;
  return b + HDR;
}

function block_size_for(n: u64): u64 {
  let need = ((n + 15) & ~u64(15)) + HDR + FTR;
  return need < MIN_BLOCK ? MIN_BLOCK : need;
}

/** Maps more memory at the end; the old epilogue becomes the header of the new free space. */
function grow(need: u64): bool {
  let amount = page_round_up(need > GROW_STEP ? need + HDR : GROW_STEP);
  if (heap_end - HEAP_BASE + amount > HEAP_MAX_SIZE) return false;
  for (let off: u64 = 0; off < amount; off += PAGE_SIZE) {
    let pa = pmm_alloc();
    if (pa != 0 && vmm_map(vmm_kernel_space(), heap_end + off, pa, PTE_W | PTE_NX | PTE_G | PTE_OWNED)) continue;
    if (pa != 0) pmm_free(pa);
    if (off == 0) return false;
    amount = off; // out of frames: keep what got mapped
  }
  let b = heap_end - HDR; // the old epilogue
  heap_end += amount;
  set_epilogue();
  release(b, amount);
  return true;
}

/**
 * Gives back the whole pages of a free block at the top beyond HEAP_INITIAL_SIZE: the block keeps
 * at least MIN_BLOCK bytes (so it stays a block) and the epilogue moves down. Interrupts off.
 */
function trim(): void {
  let floor = HEAP_BASE + HEAP_INITIAL_SIZE;
  if (heap_end <= floor || load<u64>(heap_end - HDR - FTR + 8) != u64(MAGIC_FREE)) return;
  let b = heap_end - HDR - load<u64>(heap_end - HDR - FTR);
  let end = page_round_up(b + MIN_BLOCK + HDR);
  if (end < floor) end = floor;
  if (end >= heap_end) return;
  list_remove(b);
  vmm_unmap_kernel_range(end, heap_end - end);
  heap_end = end;
  set_epilogue();
  set_block(b, end - HDR - b, MAGIC_FREE);
  list_insert(b);
}

function set_epilogue(): void {
  let e = blk(heap_end - HDR);
  e.size = 0;
  e.magic = MAGIC_USED;
  e.check = check_of(0, MAGIC_USED);
}

export function heap_init(): void {
  log_info(`Initializing kernel heap...`);
  for (let off: u64 = 0; off < HEAP_INITIAL_SIZE; off += PAGE_SIZE) {
    let pa = pmm_alloc();
    if (pa == 0 || !vmm_map(vmm_kernel_space(), HEAP_BASE + off, pa, PTE_W | PTE_NX | PTE_G | PTE_OWNED))
      panic(`heap: out of memory while mapping the initial heap`);
  }
  heap_end = HEAP_BASE + HEAP_INITIAL_SIZE;
  // Prologue: a used footer at HEAP_BASE+16, so the first block never merges backwards.
  store<u64>(HEAP_BASE + 16, HDR);
  store<u64>(HEAP_BASE + 24, u64(MAGIC_USED));
  set_epilogue();
  let first = HEAP_BASE + HDR;
  set_block(first, heap_end - HDR - first, MAGIC_FREE);
  free_head = 0;
  list_insert(first);
  log_info(`Heap initialized: start=${hex(HEAP_BASE)}, size=${HEAP_INITIAL_SIZE / 1024} KB`);
}

function alloc(n: u64, caller: u64): u64 {
  if (n == 0 || n > HEAP_MAX_SIZE) return 0;
  let need = block_size_for(n);
  let flags = irq_save();
  alloc_calls++;
  while (true) {
    let b = free_head;
    while (b != 0) {
      if (blk(b).size >= need) {
        let p = take(b, need, n, caller);
        irq_restore(flags);
        return p;
      }
      b = blk(b).next;
    }
    if (!grow(need)) break;
  }
  irq_restore(flags);
  return 0;
}

/** A block of at least n bytes (caller: the return address reports name), or 0. */
export function heap_alloc(n: usize, caller: u64): usize {
  return alloc(n, caller);
}

/** Checks that p is a live allocation; reports (with the caller) and returns false if not. */
function validate(p: u64, what: string, caller: u64): bool {
  let b = p - HDR;
  let ok = (p & 15) == 0 && p >= HEAP_BASE + 2 * HDR && p < heap_end;
  if (ok && header_ok(b) && blk(b).magic == MAGIC_USED) return true;
  error_count++;
  let double = ok && header_ok(b) && blk(b).magic == MAGIC_FREE;
  kprint(`[ERROR] heap: ${what} of ${hex(p)}: ${double ? "double free" : "bad pointer or corrupted header"}, called from `);
  put_symbol(caller);
  put_char(10);
  return false;
}

function free_at(p: u64, caller: u64): void {
  if (p == 0) return;
  let flags = irq_save();
  if (validate(p, "kfree", caller)) {
    let b = p - HDR;
    let size = blk(b).size;
    used_bytes -= size;
    live_blocks--;
    free_calls++;
    release(b, size);
    trim();
  }
  irq_restore(flags);
}

/** Frees a block from heap_alloc (0 is ignored); a bad or freed pointer is reported, not freed. */
export function heap_free(p: usize, caller: u64): void {
  free_at(p, caller);
}

/** Resizes a heap block in place when it can, else moves it (see kmalloc.ts krealloc). */
export function heap_realloc(p: usize, n: usize, caller: u64): usize {
  if (p == 0) return alloc(n, caller);
  if (n == 0) {
    free_at(p, caller);
    return 0;
  }
  if (n > HEAP_MAX_SIZE) return 0;
  let flags = irq_save();
  if (!validate(p, "krealloc", caller)) {
    irq_restore(flags);
    return 0;
  }
  let b = p - HDR;
  let size = blk(b).size;
  let need = block_size_for(n);
  let next = b + size;
  if (size < need && blk(next).magic == MAGIC_FREE && size + blk(next).size >= need) {
    list_remove(next); // grow in place into the free neighbour
    let merged = size + blk(next).size;
    used_bytes += merged - size;
    size = merged;
    set_block(b, size, MAGIC_USED);
  }
  if (size >= need) {
    if (size - need >= MIN_BLOCK) {
      set_block(b, need, MAGIC_USED);
      used_bytes -= size - need;
      release(b + need, size - need);
      trim();
    }
    blk(b).prev = n;
    if (used_bytes > peak_used) peak_used = used_bytes;
    irq_restore(flags);
    return p;
  }
  irq_restore(flags);
  let q = alloc(n, caller);
  if (q == 0) return 0;
  memcpy(q, p, size - HDR - FTR);
  free_at(p, caller);
  return q;
}

/** Walks every block: headers, footers, no adjacent free blocks, free list = free blocks. */
export function heap_check(): bool {
  let b = HEAP_BASE + HDR;
  let free_blocks: u64 = 0;
  let used: u64 = 0;
  let prev_free = false;
  while (b < heap_end - HDR) {
    if (!header_ok(b)) return false;
    let is_free = blk(b).magic == MAGIC_FREE;
    if (is_free && prev_free) return false;
    if (is_free) free_blocks++;
    else used += blk(b).size;
    prev_free = is_free;
    b += blk(b).size;
  }
  if (b != heap_end - HDR || used != used_bytes) return false;
  let listed: u64 = 0;
  let f = free_head;
  while (f != 0 && listed <= free_blocks) {
    if (blk(f).magic != MAGIC_FREE) return false;
    listed++;
    f = blk(f).next;
  }
  return listed == free_blocks;
}

export function heap_used_bytes(): u64 {
  return used_bytes;
}

export function heap_live_blocks(): u64 {
  return live_blocks;
}

export function heap_size(): u64 {
  return heap_end - HEAP_BASE;
}

export function heap_errors(): u64 {
  return error_count;
}

export function heap_stats_log(): void {
  log_info(`Heap: size ${heap_size() / 1024} KB, used ${used_bytes} bytes in ${live_blocks} blocks, peak ${peak_used}, ${alloc_calls} allocs, ${free_calls} frees, ${error_count} errors`);
}

/** Usable payload size of a live block (at least what was asked). */
export function heap_usable_size(p: usize): u64 {
  return blk(p - HDR).size - HDR - FTR;
}
