// What one process holds in the kernel, against its limits (abi/limits.ts): threads (counted in
// Process.threads, checked by proc_new_thread) and the bytes of out-of-line IPC data its sends
// hold in the kernel (queued at a port, waiting in a blocked sender or caller, or on the way to
// a receiver), counted here. A kernel copy of a buffer outlives its sender's process when it sits
// in another process's queue, so the count is its own heap object: the process lets go of it when
// it is freed (quota_release), and it goes away when the last byte charged to it is given back.

import { kzalloc } from "../mm/kmalloc";
import { PROC_MAX_QUEUED_BYTES } from "../abi/limits";

export class Quota {
  queued_bytes: u64 = 0;
  released: bool = false; // the process is gone: free this when queued_bytes is back to 0
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
  if (q.released && q.queued_bytes == 0) destroy(q);
}

/** The process is freed: the quota goes too, now or when its last charged byte comes back. */
export function quota_release(q: Quota): void {
  q.released = true;
  if (q.queued_bytes == 0) destroy(q);
}
