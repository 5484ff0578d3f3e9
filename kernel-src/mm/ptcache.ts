// The cache of page-table pages: table frames freed by a dying address space are kept, zeroed,
// for the next tables any space needs (a fork, a spawn, a first touch in a new 2 MiB range), so
// those come without a search of the PMM's bitmap; Bonwick's object cache for one object, the
// 4 KiB table (the slab layer's page-sized slabs hold their header in the page, so a table does
// not fit there). Frames are zeroed when they come back (a table is mostly zeros already), so
// taking one is a pop. At most PT_CACHE_MAX are kept; more go back to the PMM, and so does every
// one when the PMM runs short (pt_cache_shrink, called by the PMM's reclaim hook through
// mm/kmalloc.ts, and by the self-tests before they count frames).
// A free table is linked through its first word (physical address of the next; zeroed again
// when it is taken). Interrupts off is the lock, as in the PMM.

import { pmm_alloc_zeroed, pmm_alloc_table_zeroed, pmm_free } from "./pmm";
import { p2v, PAGE_SIZE } from "./layout";
import { irq_save, irq_restore } from "../arch/hal";

/** Table frames kept at most (256 KiB): a few address spaces' worth. */
export const PT_CACHE_MAX: u64 = 64;

let head: u64 = 0; // physical address of the first cached table, 0 = none
let cached: u64 = 0;
let hits: u64 = 0;
let misses: u64 = 0;

/**
 * A zeroed frame for a page table: a cached one, else from the PMM (from_reserve: it may use frames
 * promised to demand-paged memory, pmm_alloc_table_zeroed). 0 when there is none.
 */
export function pt_alloc(from_reserve: bool): u64 {
  let irq = irq_save();
  let pa = head;
  if (pa != 0) {
    head = load<u64>(p2v(pa));
    store<u64>(p2v(pa), 0);
    cached--;
    hits++;
  }
  irq_restore(irq);
  if (pa != 0) return pa;
  misses++;
  return from_reserve ? pmm_alloc_table_zeroed() : pmm_alloc_zeroed();
}

/** Takes a table frame back (its entries no longer used): kept zeroed, or to the PMM when full. */
export function pt_free(pa: u64): void {
  if (cached >= PT_CACHE_MAX) {
    pmm_free(pa);
    return;
  }
  memset(p2v(pa), 0, PAGE_SIZE);
  let irq = irq_save();
  store<u64>(p2v(pa), head);
  head = pa;
  cached++;
  irq_restore(irq);
}

/** Gives every cached table frame back to the PMM (memory pressure); how many. */
export function pt_cache_shrink(): u64 {
  let irq = irq_save();
  let n: u64 = 0;
  while (head != 0) {
    let pa = head;
    head = load<u64>(p2v(pa));
    pmm_free(pa);
    n++;
  }
  cached = 0;
  irq_restore(irq);
  return n;
}

/** Table frames in the cache now. */
export function pt_cached(): u64 {
  return cached;
}

/** Tables taken from the cache, and from the PMM, since boot (tests, docs). */
export function pt_cache_hits(): u64 {
  return hits;
}

export function pt_cache_misses(): u64 {
  return misses;
}
