// The shared-memory system calls (abi/syscall.ts 39..41) and the capability side of passing a
// shared-memory object in an IPC message. An object (mm/shm.ts) is named only by a capability
// handle (ipc/cap.ts), like a port: SYS_SHM_CREATE gives one with every right, SYS_SHM_RESTRICT
// makes another with fewer, SYS_IPC_SEND with SEND_GRANT passes one (its map rights) to the
// receiver, SYS_SHM_MAP maps the object with what the handle allows, SYS_CAP_DROP lets go of one
// and SYS_CAP_REVOKE (with CAP_SHM_OWNER) voids every other and unmaps the object from every
// other process. Mappings are undone with SYS_MUNMAP.
// These calls run with interrupts off from start to end (like the file system calls), so a
// handle's check and its use are one step.

import { thread_current, thread_for_each } from "../sched/scheduler";
import { thr } from "../sched/thread";
import { Process, proc_of } from "../proc/process";
import { quota_credit_pages } from "../proc/quota";
import { vma_take_shared, vma_start, vma_end, vma_free_record } from "../mm/vma";
import { vmm_pte } from "../mm/vmm";
import { user_unmap_page } from "../mm/usercopy";
import { fs_unmapped, MAX_FILE } from "../fs/vfs";
import { map_file } from "./fs_syscalls";
import { shm_create, shm_get, shm_put, shm_node, shm_size, shm_revoke } from "../mm/shm";
import { CapTable, cap_install_shm, cap_lookup_shm, cap_rights, cap_set, CAP_KIND_SHM } from "../ipc/cap";
import { ipc_ref_valid } from "../ipc/port";
import { ipc_buf_attach_shm } from "../ipc/message";
import { irq_save, irq_restore } from "../arch/hal";
import { PAGE_SIZE, PAGE_MASK, page_round_up } from "../mm/layout";
import { CAP_MAP_READ, CAP_MAP_WRITE, CAP_SHM_OWNER } from "../abi/ipc";
import { PROT_READ, PROT_WRITE, MAP_SHARED } from "../abi/syscall";
import { E_OK, E_INVAL, E_NOMEM, E_BADPORT } from "../abi/errors";

const MAP_RIGHTS: u64 = CAP_MAP_READ | CAP_MAP_WRITE;

function caps(): CapTable {
  return changetype<CapTable>(thread_current().caps);
}

/** shm_create(size): a new zero-filled object of size bytes (frames at first touch); its handle, with every right. */
export function sys_shm_create(size: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  if (size == 0 || size > MAX_FILE) return E_INVAL;
  let s = shm_create(page_round_up(size), changetype<u64>(proc_of(thread_current()).quota)); // PROC_MAX_PAGES
  if (s == 0) return E_NOMEM;
  let h = cap_install_shm(caps(), s, MAP_RIGHTS | CAP_SHM_OWNER, ipc_ref_valid);
  if (h == 0) shm_put(s); // the table is full: the object goes again
  return h != 0 ? i64(h) : E_NOMEM;
}

/**
 * shm_map(handle, offset, len, prot): maps len bytes of the object from offset (page aligned),
 * shared, demand paged; the address. Needs CAP_MAP_READ, and CAP_MAP_WRITE for PROT_WRITE;
 * PROT_EXEC is refused (E_INVAL). A handle that names no object (bad, empty, revoked, a port) or
 * lacks the right gives E_BADPORT, as a port handle without the right does.
 */
export function sys_shm_map(h: u64, offset: u64, len: u64, prot: u64, a5: u64): i64 {
  let writable = (prot & PROT_WRITE) != 0;
  let s = cap_lookup_shm(caps(), h, CAP_MAP_READ);
  if (s == 0) return E_BADPORT;
  if ((prot & ~(PROT_READ | PROT_WRITE)) != 0) return E_INVAL; // no PROT_EXEC
  if (writable && (cap_rights(caps(), h) & CAP_MAP_WRITE) == 0) return E_BADPORT;
  let size = shm_size(s);
  if ((offset & PAGE_MASK) != 0 || len == 0 || offset >= size || len > size - offset) return E_INVAL;
  return map_file(proc_of(thread_current()), shm_node(s), offset, page_round_up(len), prot, MAP_SHARED);
}

/**
 * shm_restrict(handle, rights): a new handle to the same object with `rights` (CAP_MAP_READ,
 * CAP_MAP_WRITE), which must be a subset of the handle's map rights; e.g. a read-only one to pass on.
 */
export function sys_shm_restrict(h: u64, rights: u64, a3: u64, a4: u64, a5: u64): i64 {
  let t = caps();
  let s = cap_lookup_shm(t, h, CAP_MAP_READ);
  if (s == 0) return E_BADPORT;
  if ((rights & ~MAP_RIGHTS) != 0 || (rights & CAP_MAP_READ) == 0 || (rights & ~cap_rights(t, h)) != 0) return E_INVAL;
  shm_get(s);
  let n = cap_install_shm(t, s, rights, ipc_ref_valid);
  if (n == 0) shm_put(s);
  return n != 0 ? i64(n) : E_NOMEM;
}

/**
 * For SYS_IPC_SEND with SEND_GRANT naming slot h of the sender: a reference to the object in h,
 * with h's map rights, put in the message's kernel copy k (ipc/message.ts). False when h names no
 * object (that is E_BADPORT). Called with interrupts on: the check and the reference are one step.
 */
export function shm_grant_take(k: u64, h: u64): bool {
  let irq = irq_save();
  let t = caps();
  let s = cap_lookup_shm(t, h, CAP_MAP_READ);
  if (s != 0) {
    shm_get(s);
    ipc_buf_attach_shm(k, s, cap_rights(t, h) & MAP_RIGHTS);
  }
  irq_restore(irq);
  return s != 0;
}

/**
 * SYS_CAP_REVOKE on a handle with CAP_SHM_OWNER: every other capability to the object, in any
 * table or in flight, names nothing from now on (mm/shm.ts shm_revoke); h names it still. And
 * the object leaves every other process's address space: their mappings of it are removed
 * (a later access there is a fault, "no mapping"); the revoker's own mappings stay.
 */
export function shm_cap_revoke(t: CapTable, h: u64): i64 {
  let irq = irq_save();
  let s = cap_lookup_shm(t, h, CAP_SHM_OWNER);
  let n = s != 0 ? shm_revoke(s) : 0;
  if (n != 0) {
    cap_set(t, h, n, cap_rights(t, h) | CAP_KIND_SHM);
    shm_put(s); // the slot's reference to the old record
    revoked_node = shm_node(n);
    revoker = thread_current().proc;
    thread_for_each(unmap_revoked, 0);
  }
  irq_restore(irq);
  return s == 0 ? E_BADPORT : n == 0 ? E_NOMEM : E_OK;
}

let revoked_node: u64 = 0; // shm_cap_revoke's, for unmap_revoked (interrupts are off throughout)
let revoker: u64 = 0;

/**
 * Removes the revoked object's mappings from the process of thread a (each process is met once
 * per thread: after the first, nothing is left), unless it is the revoker's or torn down already.
 */
function unmap_revoked(a: u64, arg: u64): void {
  let t = thr(a);
  if (t.proc == 0 || t.proc == revoker) return;
  let p = changetype<Process>(t.proc);
  if (p.threads == 0) return; // its address space is gone (or going) with its last thread
  while (true) {
    let v = vma_take_shared(p.space, revoked_node);
    if (v == 0) return;
    for (let va = vma_start(v); va < vma_end(v); va += PAGE_SIZE) {
      if (vmm_pte(p.space, va) != 0) user_unmap_page(p.space, va); // the file's frame stays the file's
    }
    fs_unmapped(revoked_node);
    quota_credit_pages(p.quota, (vma_end(v) - vma_start(v)) / PAGE_SIZE, false);
    vma_free_record(v);
  }
}
