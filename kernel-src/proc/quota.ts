// What one process holds in the kernel, against its limits (abi/limits.ts): threads (counted in
// Process.threads, checked by proc_new_thread), the bytes of out-of-line IPC data its sends hold
// in the kernel (queued at a port, waiting in a blocked sender or caller, or on the way to a
// receiver), and pages: of its address space (every mmap, file and shared-memory mapping, mapped
// IPC buffer and thread stack, from when it is made to when it is unmapped; a forked child starts
// with its parent's count) and of the shared-memory objects it created (while the object lives).
// Pages are counted when a mapping is made, not at first touch: memory is promised then (no
// overcommit, docs/memory.md), so a demand fault or a copy-on-write break never goes over.
// A kernel copy of a buffer, or a shared-memory object, outlives its creator's process when
// another holds it, so the count is its own heap object: the process lets go of it when it is
// freed (quota_release), and it goes away when the last byte and object page charged to it are
// given back.

import { kzalloc } from "../mm/kmalloc";
import { PROC_MAX_QUEUED_BYTES, PROC_MAX_PAGES } from "../abi/limits";

export class Quota {
  queued_bytes: u64 = 0;
  pages: u64 = 0; // of the address space
  object_pages: u64 = 0; // of shared-memory objects it made (mm/shm.ts), alive
  released: bool = false; // the process is gone: free this when nothing is charged any more
}

export function quota_new(): Quota | null {
  let a = kzalloc(sizeof<Quota>());
  return a == 0 ? null : changetype<Quota>(a);
}

/** Charges n bytes of IPC data; false (nothing charged) when that would go over the limit. */
export function quota_charge_bytes(q: Quota, n: u64): bool {
  if (n > PROC_MAX_QUEUED_BYTES - q.queued_bytes) return false;
  q.queued_bytes += n;
  return true;
}

export function quota_credit_bytes(q: Quota, n: u64): void {
  q.queued_bytes -= n;
  free_if_done(q);
}

/** Charges n pages of address space (object: of a shared-memory object); false (nothing charged) over the limit. */
export function quota_charge_pages(q: Quota, n: u64, object: bool): bool {
  let held = q.pages + q.object_pages;
  if (held > PROC_MAX_PAGES || n > PROC_MAX_PAGES - held) return false;
  if (object) q.object_pages += n;
  else q.pages += n;
  return true;
}

export function quota_credit_pages(q: Quota, n: u64, object: bool): void {
  if (object) q.object_pages -= n;
  else q.pages -= n;
  free_if_done(q);
}

/** Pages charged to q (tests). */
export function quota_pages(q: Quota): u64 {
  return q.pages + q.object_pages;
}

/** For a forked child's quota: its address space is a copy of the parent's (no limit check: the parent was within it). */
export function quota_inherit_pages(child: Quota, parent: Quota): void {
  child.pages = parent.pages;
}

function free_if_done(q: Quota): void {
  if (q.released && q.queued_bytes == 0 && q.object_pages == 0) destroy(q);
}

/** The process is freed (its address space gone): the quota goes too, now or when its last charge comes back. */
export function quota_release(q: Quota): void {
  q.released = true;
  q.pages = 0;
  free_if_done(q);
}
