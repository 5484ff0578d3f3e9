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

import { kzalloc } from "../mm/kmalloc";
import { PROC_MAX_CAPS } from "../abi/limits";
import { panic } from "../lib/panic";

export class CapTable {
  refs!: InlineArray<u64, 64>; // port references (0 = empty slot)
  rights!: InlineArray<u64, 64>;
}

export function cap_table_new(): CapTable | null {
  if (offsetof<CapTable>("refs") != 0 || offsetof<CapTable>("rights") != CAP_RIGHTS_OFFSET) panic(`CapTable moved: update cap_lookup`);
  let a = kzalloc(sizeof<CapTable>());
  return a == 0 ? null : changetype<CapTable>(a);
}

export function cap_table_free(t: CapTable): void {
  destroy(t);
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
    let r = t.refs[i32(h)];
    if (r == ref) {
      t.rights[i32(h)] |= rights;
      return h;
    }
    if (free == 0 && (r == 0 || !valid(r))) free = h;
  }
  if (free != 0) cap_set(t, free, ref, rights);
  return free;
}

/** Empties slot h; false when it was empty or out of range. */
export function cap_drop(t: CapTable, h: u64): bool {
  if (h == 0 || h >= PROC_MAX_CAPS || t.refs[i32(h)] == 0) return false;
  cap_set(t, h, 0, 0);
  return true;
}

/** Calls fn(ref, arg) for every slot holding all of `rights` (e.g. the ports a process owns). */
export function cap_for_each(t: CapTable, rights: u64, fn: (ref: u64, arg: u64) => void, arg: u64): void {
  for (let h: u64 = 1; h < PROC_MAX_CAPS; h++) {
    if (t.refs[i32(h)] != 0 && (t.rights[i32(h)] & rights) == rights) fn(t.refs[i32(h)], arg);
  }
}
