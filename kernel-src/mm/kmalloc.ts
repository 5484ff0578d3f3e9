// kmalloc, kzalloc, kfree, krealloc and the language's allocation hooks (`new`, `destroy`):
// sizes up to SLAB_MAX_SIZE come from the slab allocator's size classes (mm/slab.ts), bigger ones
// from the heap (mm/heap.ts).
//
// kmalloc and kfree are inlined into their callers (Linux does the same for kmalloc with constant
// sizes): with a constant size the size class folds away and the hit is the slab's per-CPU
// magazine pop. kfree tells the two kinds apart by address: slab objects live in the direct map
// (DIRECT_MAP_BASE + physical), heap blocks at HEAP_BASE; anything else (0 included) goes to the
// heap, which ignores 0 and reports a pointer it did not hand out.

import { heap_alloc, heap_free, heap_realloc, heap_usable_size, heap_live_blocks, heap_used_bytes } from "./heap";
import { slab_alloc, slab_free, size_class, slab_object_size, slab_live_total, slab_live_bytes, SLAB_MAX_SIZE } from "./slab";
import { panic } from "../lib/panic";

/** Addresses in the direct map's first 64 TiB (DIRECT_MAP_BASE = 0xFFFF800000000000) have these top 18 bits. */
const DIRECT_MAP_TAG: u64 = 0x3fffe;

/** True when p is a slab object's address (rather than a heap block's or 0). @inline */
function is_slab(p: usize): bool {
  return (p >> 46) == DIRECT_MAP_TAG;
}

/** n bytes, 16-byte aligned, or 0 (n == 0, or out of memory). @inline */
export function kmalloc(n: usize): usize {
  if (n - 1 < SLAB_MAX_SIZE) return slab_alloc(size_class(n));
  return kmalloc_large(n);
}

/** @noinline -- reads its own frame for the caller's return address, which inlining would change */
function kmalloc_large(n: usize): usize {
  return heap_alloc(n, load<u64>(frame_address(), 8));
}

/** kmalloc, zero-filled. */
export function kzalloc(n: usize): usize {
  let p = kmalloc(n);
  if (p != 0) memset(p, 0, n);
  return p;
}

/** Frees what kmalloc gave (0 is ignored). @inline */
export function kfree(p: usize): void {
  if (is_slab(p)) slab_free(p);
  else kfree_large(p);
}

/** @noinline -- reads its own frame for the caller's return address, which inlining would change */
function kfree_large(p: usize): void {
  heap_free(p, load<u64>(frame_address(), 8));
}

/** Bytes usable at p (at least what was asked). */
export function kmalloc_usable_size(p: usize): u64 {
  return is_slab(p) ? slab_object_size(p) : heap_usable_size(p);
}

/**
 * Resizes p to n bytes, keeping the contents up to the smaller size; 0 (p kept) when out of
 * memory. A slab object stays put while n fits its size class, else moves; a heap block stays in
 * the heap (heap_realloc: in place when it can).
 * @noinline -- reads its own frame for the caller's return address, which inlining would change
 */
export function krealloc(p: usize, n: usize): usize {
  let caller = load<u64>(frame_address(), 8);
  if (p == 0) return kmalloc(n);
  if (n == 0) {
    kfree(p);
    return 0;
  }
  if (!is_slab(p)) return heap_realloc(p, n, caller); // checks p; a heap block stays a heap block
  let have = kmalloc_usable_size(p);
  if (is_slab(p) && n <= have && (n - 1 >= SLAB_MAX_SIZE || size_class(n) == size_class(have))) return p;
  let q = kmalloc(n);
  if (q == 0) return 0;
  memcpy(q, p, have < n ? have : n);
  kfree(p);
  return q;
}

/** Live allocations (heap blocks and slab objects): what leak checks compare. */
export function kmalloc_live_objects(): u64 {
  return heap_live_blocks() + slab_live_total();
}

/** Bytes in live allocations (heap blocks with their headers, slab objects by their class size). */
export function kmalloc_used_bytes(): u64 {
  return heap_used_bytes() + slab_live_bytes();
}

// Allocation hooks of the language: `new T()` and `destroy(obj)`.
export function __alloc(size: usize): usize {
  let p = kmalloc(size);
  if (p == 0) panic(`kmalloc: out of memory in new (${size} bytes)`);
  memset(p, 0, size);
  return p;
}

export function __free(addr: usize): void {
  kfree(addr);
}
