// Shared-memory objects: memory that several address spaces map, named only by capabilities
// (ipc/cap.ts: a slot of kind CAP_KIND_SHM holds a reference to a Shm record, with the rights
// CAP_MAP_READ, CAP_MAP_WRITE, CAP_SHM_OWNER of abi/ipc.ts). The pages are those of an anonymous
// file (fs/vfs.ts fs_create_anonymous: no directory, holes until the first touch), which a shared
// mapping maps (mm/vma.ts VMA_FILE_SHARED) and so keeps alive on its own.
//
// Lifetime: a Shm record counts its references (`refs`): capability slots in any table, and
// messages in flight that grant it (the kernel copy of the message holds one, ipc/message.ts).
// The record holds one "open" of its file (fs_opened). The last reference frees the record and
// lets go of the file; the file, and so the frames, go when its last mapping has gone too.
// Revocation (shm_revoke) moves the file to a new record for the revoker and leaves the old one
// naming nothing (node 0): every other capability, in any table or in flight, then names nothing,
// and holds only the small record until it is dropped. Mappings already made stay (they hold the
// file, not a capability), like a file's after unlink.
// Everything here runs with interrupts off (the callers bracket it), which is its lock.

import { kzalloc } from "./kmalloc";
import { PAGE_SIZE } from "./layout";
import { Quota, quota_charge_pages, quota_credit_pages } from "../proc/quota";
import { fs_create_anonymous, fs_opened, fs_closed, fs_size } from "../fs/vfs";

export class Shm {
  node: u64 = 0; // the anonymous file with the pages; 0 once revoked
  refs: u64 = 0;
  quota: u64 = 0; // the creator's Quota (proc/quota.ts), charged the object's pages while the record names it
  pages: u64 = 0;
}

let live: u64 = 0;

function shm(a: u64): Shm {
  return changetype<Shm>(a);
}

/** A record with one reference and its own file, or 0 when memory is short. */
function record(node: u64): u64 {
  let a = kzalloc(sizeof<Shm>());
  if (a == 0) return 0;
  shm(a).node = node;
  shm(a).refs = 1;
  live++;
  return a;
}

/**
 * A new object of `size` bytes (page aligned), zero-filled, its pages charged to the quota q (a
 * proc/quota.ts Quota) while it lives: its record, with one reference; 0 when over quota or memory
 * is short.
 */
export function shm_create(size: u64, q: u64): u64 {
  let pages = size / PAGE_SIZE;
  if (!quota_charge_pages(changetype<Quota>(q), pages, true)) return 0;
  let node = fs_create_anonymous(size);
  let a = node != 0 ? record(node) : 0;
  if (a == 0) {
    if (node != 0) {
      fs_opened(node);
      fs_closed(node); // frees it
    }
    quota_credit_pages(changetype<Quota>(q), pages, true);
    return 0;
  }
  fs_opened(node);
  shm(a).quota = q;
  shm(a).pages = pages;
  return a;
}

export function shm_get(a: u64): void {
  shm(a).refs++;
}

/** Drops a reference; the last one frees the record and lets go of the file. */
export function shm_put(a: u64): void {
  let s = shm(a);
  s.refs--;
  if (s.refs != 0) return;
  if (s.node != 0) fs_closed(s.node);
  if (s.quota != 0) quota_credit_pages(changetype<Quota>(s.quota), s.pages, true);
  destroy(s);
  live--;
}

/** The file holding the object's pages, 0 when the capability was revoked. */
export function shm_node(a: u64): u64 {
  return shm(a).node;
}

export function shm_size(a: u64): u64 {
  return shm(a).node == 0 ? 0 : fs_size(shm(a).node);
}

/**
 * Revokes every reference to a but one: the object moves to a new record (one reference, for the
 * revoker's slot); a names nothing from now on (its references stay counted until dropped).
 * Returns the new record, or 0 (nothing changed) when memory is short.
 */
export function shm_revoke(a: u64): u64 {
  let n = record(shm(a).node);
  if (n == 0) return 0;
  shm(n).quota = shm(a).quota; // the charge moves with the object
  shm(n).pages = shm(a).pages;
  shm(a).node = 0;
  shm(a).quota = 0;
  return n;
}

/** Shm records alive (tests). */
export function shm_live(): u64 {
  return live;
}
