// Capabilities for IPC: each process names ports only through its own table of capabilities
// (seL4's CNode and L4Re's capability table, much simplified). A handle is a slot index, valid only
// in the process that holds it; a slot holds a port reference and rights (abi/ipc.ts CAP_SEND,
// CAP_RECEIVE). Port ids never cross the user boundary.
//
// A port reference (ipc/port.ts ipc_port_ref) is the port's id and its serial; the serial changes
// when the port is revoked and every port has a new one, so a reference to a destroyed or revoked
// port names nothing even when the id is reused. Lookups check that (port.ts port_of_ref), so a
// slot is never updated when a port goes away. Slot 0 is never used (0 = no handle).
// Rights travel only as a send right passed in a message (SEND_GRANT): the receive right stays
// with the port's owner. The one-shot reply right of a call is not kept here: it goes with the
// call (Thread.reply_holder, ipc/port.ts).
//
// A slot can also hold a shared-memory object (mm/shm.ts): its rights have the kernel's bit
// CAP_KIND_SHM, its ref is the object's record, and the slot holds a reference to it (taken when
// the slot is filled, dropped when it is emptied or the table freed). Such slots never carry
// CAP_SEND or CAP_RECEIVE, so a port lookup never finds one, and they are never merged: each grant
// or restriction fills a slot of its own.

import { kzalloc } from "../mm/kmalloc";
import { shm_get, shm_put, shm_node } from "../mm/shm";
import { PROC_MAX_CAPS } from "../abi/limits";
import { panic } from "../lib/panic";
import { CAP_SEND, CAP_MAP_READ, CAP_MAP_WRITE } from "../abi/ipc";

/** A slot's rights bit (never seen by user programs): the slot holds a shared-memory object. */
export const CAP_KIND_SHM: u64 = 1 << 32;

export class CapTable {
  refs!: InlineArray<u64, 64>; // port references, or shared-memory records (CAP_KIND_SHM); 0 = empty slot
  rights!: InlineArray<u64, 64>;
}

export function cap_table_new(): CapTable | null {
  if (offsetof<CapTable>("refs") != 0 || offsetof<CapTable>("rights") != CAP_RIGHTS_OFFSET) panic(`CapTable moved: update cap_lookup`);
  let a = kzalloc(sizeof<CapTable>());
  return a == 0 ? null : changetype<CapTable>(a);
}

/** Frees the table, dropping the shared-memory references its slots hold. */
export function cap_table_free(t: CapTable): void {
  for (let h: u64 = 1; h < PROC_MAX_CAPS; h++) cap_drop(t, h);
  destroy(t);
}

function is_shm(t: CapTable, h: u64): bool {
  return (t.rights[i32(h)] & CAP_KIND_SHM) != 0;
}

/** Whether slot h may be filled: empty, or a port reference that names nothing any more. */
function slot_free(t: CapTable, h: u64, valid: (ref: u64) => bool): bool {
  let r = t.refs[i32(h)];
  return r == 0 || (!is_shm(t, h) && !valid(r));
}

/**
 * The port reference in slot h when it carries the right `right` (one bit), else 0. O(1); inlined into
 * the system call's fast path (ipc/port.ts ipc_call_user).
 * @inline
 */
export function cap_lookup(t: CapTable, h: u64, right: u64): u64 {
  if (h >= PROC_MAX_CAPS) return 0; // slot 0 is always empty
  // Slot h's words by address: h < PROC_MAX_CAPS is checked just above, and the bounds pass
  // cannot see it through the i32 index (a check and a stack frame in every IPC fast path).
  let slot = changetype<u64>(t) + (h << 3);
  return (load<u64>(slot, CAP_RIGHTS_OFFSET) & right) != 0 ? load<u64>(slot) : 0;
}

/** Where rights[] starts in a CapTable (refs[] at 0); cap_table_new checks both. */
const CAP_RIGHTS_OFFSET: u64 = 512;

export function cap_set(t: CapTable, h: u64, ref: u64, rights: u64): void {
  t.refs[i32(h)] = ref;
  t.rights[i32(h)] = rights;
}

/**
 * Puts ref with rights in the table: the slot that holds ref already (its rights widened), else the
 * first free one (`valid` says whether a slot's reference still names a port: a stale slot is
 * reused). Returns the handle, 0 when the table is full.
 */
export function cap_install(t: CapTable, ref: u64, rights: u64, valid: (ref: u64) => bool): u64 {
  let free: u64 = 0;
  for (let h: u64 = 1; h < PROC_MAX_CAPS; h++) {
    if (t.refs[i32(h)] == ref && !is_shm(t, h)) {
      t.rights[i32(h)] |= rights;
      return h;
    }
    if (free == 0 && slot_free(t, h, valid)) free = h;
  }
  if (free != 0) cap_set(t, free, ref, rights);
  return free;
}

/**
 * Puts the shared-memory object s (an mm/shm.ts record) with rights (CAP_MAP_*, CAP_SHM_OWNER) in
 * the first free slot, taking over one reference the caller holds. Returns the handle, or 0
 * when the table is full (the reference is then still the caller's).
 */
export function cap_install_shm(t: CapTable, s: u64, rights: u64, valid: (ref: u64) => bool): u64 {
  for (let h: u64 = 1; h < PROC_MAX_CAPS; h++) {
    if (slot_free(t, h, valid)) {
      cap_set(t, h, s, rights | CAP_KIND_SHM);
      return h;
    }
  }
  return 0;
}

/**
 * The shared-memory record in slot h when the slot carries all of `rights` and still names an
 * object (not revoked), else 0.
 */
export function cap_lookup_shm(t: CapTable, h: u64, rights: u64): u64 {
  if (h == 0 || h >= PROC_MAX_CAPS || !is_shm(t, h) || (t.rights[i32(h)] & rights) != rights) return 0;
  let s = t.refs[i32(h)];
  return shm_node(s) != 0 ? s : 0;
}

/** The user-visible rights of slot h (0 for an empty or out-of-range slot). */
export function cap_rights(t: CapTable, h: u64): u64 {
  return h == 0 || h >= PROC_MAX_CAPS ? 0 : t.rights[i32(h)] & ~CAP_KIND_SHM;
}

/** Empties slot h (dropping a shared-memory reference); false when it was empty or out of range. */
export function cap_drop(t: CapTable, h: u64): bool {
  if (h == 0 || h >= PROC_MAX_CAPS || t.refs[i32(h)] == 0) return false;
  if (is_shm(t, h)) shm_put(t.refs[i32(h)]);
  cap_set(t, h, 0, 0);
  return true;
}

/**
 * A forked child's table (to, empty) from its parent's: in the same slots, the send rights and
 * the map rights of shared-memory objects (receive and owner rights stay with the parent).
 */
export function cap_inherit(from: CapTable, to: CapTable): void {
  for (let h: u64 = 1; h < PROC_MAX_CAPS; h++) {
    let r = from.rights[i32(h)];
    let ref = from.refs[i32(h)];
    if (is_shm(from, h)) {
      shm_get(ref);
      cap_set(to, h, ref, r & (CAP_KIND_SHM | CAP_MAP_READ | CAP_MAP_WRITE));
    } else if ((r & CAP_SEND) != 0) {
      cap_set(to, h, ref, CAP_SEND);
    }
  }
}

/** Calls fn(ref, arg) for every slot holding all of `rights` (e.g. the ports a process owns). */
export function cap_for_each(t: CapTable, rights: u64, fn: (ref: u64, arg: u64) => void, arg: u64): void {
  for (let h: u64 = 1; h < PROC_MAX_CAPS; h++) {
    if (t.refs[i32(h)] != 0 && (t.rights[i32(h)] & rights) == rights) fn(t.refs[i32(h)], arg);
  }
}
