// Checks on pointers that come from user mode. A range is acceptable only if it lies entirely in
// the user half, without wrapping, and every page of it is mapped present and user-accessible
// in the caller's address space (and writable when the kernel will write to it; executable for
// thread entry points). System calls check every pointer with these before touching memory.
//
// The invariant that makes the check good for the copy after it: a user page is only ever
// unmapped by user_unmap_page, which removes the mapping, frees the frame and bumps the
// generation below in one irq-off section; and every check is followed by its copy in the same
// irq-off section: either the whole system call runs with interrupts off, or (the general IPC
// paths) the check and the copy are bracketed together (syscall.ts message_in, message_out;
// copy_from_user and copy_to_user below, page by page). After a blocking wait the check is repeated. sys_mmap and
// sys_munmap run with interrupts on (arch/x86_64/syscall.S) and so may be preempted between two
// pages, but never inside one page's change; they serialize with each other on the process's
// space_lock (proc/process.ts). A check made outside such a section (buffer_ok before a send)
// only picks the error early; the copy checks again.
//
// Each thread remembers the last single user page it found present, user and writable (a
// one-entry software TLB: an IPC system call checks the same message page on the way in and out,
// call after call). The entry is valid only while no user page has been unmapped anywhere since
// (user_unmapped() bumps a generation that every entry carries); mappings are only ever added
// otherwise, and a thread's address space never changes while it lives. The entry keeps the
// page's frame too: user_msg_kva_cached gives an IPC system call the message's address in the direct
// map, where a kernel thread running in another address space can write the reply (only while
// the generation still matches: ipc/port.ts checks user_gen() before it writes).

import { thread_current } from "../sched/scheduler";
import { Thread } from "../sched/thread";
import { proc_of } from "../proc/process";
import { irq_save, irq_restore, user_access_begin, user_access_end } from "../arch/hal";
import { AddressSpace, vmm_unmap, vmm_pte, PTE_P, PTE_U, PTE_W, PTE_NX, PTE_PS, PTE_ADDR, PTE_COW } from "./vmm";
import { vm_populate } from "./vma";
import { USER_TOP, PAGE_SIZE, PAGE_MASK, DIRECT_MAP_BASE, page_round_down } from "./layout";
import { IpcMessage } from "../abi/ipc";
import { clock_ticks } from "../time/clock";

/**
 * The caller's leaf entry for va (0 when not present). A page not touched yet in a VMA that allows
 * the access is faulted in first (mm/vma.ts vm_populate), and a copy-on-write page about to be
 * written is copied (or taken back writable) first, as the CPU's fault would have.
 */
function pte_of(va: u64, write: bool): u64 {
  let t = thread_current();
  if (t.proc == 0) return 0;
  let space = proc_of(t).space;
  let e = vmm_pte(space, va);
  let fault = (e & PTE_P) == 0 || (write && (e & PTE_COW) != 0);
  if (fault && vm_populate(space, va, write)) e = vmm_pte(space, va);
  return e;
}

export let unmaps: u64 = 1; // generation of the user mappings (a Thread's check_gen starts at 0: no entry); exported for arch/x86_64/ipcfast.S

/** Called whenever a user page is unmapped (or its permissions shrink): drops every cached check. */
export function user_unmapped(): void {
  unmaps++;
}

/** Unmaps one user page (freeing an owned frame) and drops every cached check, atomically. */
export function user_unmap_page(space: AddressSpace, va: u64): void {
  let irq = irq_save();
  vmm_unmap(space, va);
  unmaps++;
  irq_restore(irq);
}

/** The current user-unmap generation: a direct-map address from user_msg_kva_cached is good while it holds. */
export function user_gen(): u64 {
  return unmaps;
}

export function user_range_ok(addr: u64, len: u64, write: bool): bool {
  if (len == 0) return true;
  if (addr >= USER_TOP || len > USER_TOP - addr) return false;
  let end = addr + len;
  let first = page_round_down(addr);
  let t = thread_current();
  if (first == page_round_down(end - 1)) {
    if (t.checked_page == first && t.check_gen == unmaps) return true; // present, user, writable
    let e = pte_of(first, write);
    if ((e & PTE_U) == 0 || (write && (e & PTE_W) == 0)) return false;
    if (write && (e & PTE_PS) == 0) { // a 4 KiB page (user pages are; the frame is e's)
      t.checked_page = first;
      t.checked_kva = DIRECT_MAP_BASE + (e & PTE_ADDR);
      t.check_gen = unmaps;
    }
    return true;
  }
  for (let page = page_round_down(addr); page < end; page += PAGE_SIZE) {
    let e = pte_of(page, write);
    if ((e & PTE_U) == 0) return false;
    if (write && (e & PTE_W) == 0) return false;
  }
  return true;
}

/**
 * For an IPC system call's message at user address ptr (t is the current thread): when the whole
 * message lies in the page the thread last found present, user and writable (the one-entry
 * cache user_range_ok fills, see the header), its address in the direct map, else 0 without walking the page tables (a fast path that gets 0
 * takes its general path, whose check fills the cache). Valid while user_gen() is unchanged.
 * Inlined into the IPC fast paths: a hit is a few loads, no call.
 * @inline
 */
export function user_msg_kva_cached(t: Thread, ptr: u64): u64 {
  let off = ptr & PAGE_MASK;
  let hit = t.checked_page == ptr - off && t.check_gen == unmaps && off <= PAGE_SIZE - sizeof<IpcMessage>();
  return hit ? t.checked_kva + off : 0;
}

/**
 * Reads the IpcMessage at user address src (checked by user_range_ok in the caller's irq-off
 * section, which this must be in) into kernel memory. With copy_from_user, copy_to_user and
 * user_write_message, the only ways the kernel touches user memory (SMAP: arch/x86_64/protect.ts).
 */
export function user_read_message(dst: u64, src: u64): void {
  user_access_begin();
  copy_words(dst, src, sizeof<IpcMessage>());
  user_access_end();
}

/** Reads the u32 at user address addr, checked as for user_read_message (a futex word). */
export function user_read_u32(addr: u64): u32 {
  user_access_begin();
  let v = load<u32>(addr);
  user_access_end();
  return v;
}

/** Writes an IpcMessage to user address dst, checked as for user_read_message. */
export function user_write_message(dst: u64, src: u64): void {
  user_access_begin();
  copy_words(dst, src, sizeof<IpcMessage>());
  user_access_end();
}

/** n bytes (a multiple of 8) a word at a time: memcpy is `rep movsb`, a step per byte. */
function copy_words(dst: u64, src: u64, n: u64): void {
  for (let off: u64 = 0; off < n; off += 8) store<u64>(dst + off, load<u64>(src + off));
}

/**
 * Copies len bytes from user address src to kernel address dst a page at a time, each page's check
 * and copy in one irq-off section, interrupts as the caller had them in between (so a long copy
 * can be preempted). False, with dst partly written, when a page is not present and user.
 */
export function copy_from_user(dst: u64, src: u64, len: u64): bool {
  if (src >= USER_TOP || len > USER_TOP - src) return false;
  let n: u64 = 0;
  for (let off: u64 = 0; off < len; off += n) {
    let at = src + off;
    n = PAGE_SIZE - (at & PAGE_MASK);
    if (n > len - off) n = len - off;
    let irq = irq_save();
    let ok = user_range_ok(at, n, false);
    if (ok) {
      user_access_begin();
      memcpy(dst + off, at, n);
      user_access_end();
    }
    irq_restore(irq);
    if (!ok) return false;
  }
  return true;
}

let copies_out_ticked: u64 = 0; // copy_to_user calls that took a timer tick between two pages

/**
 * Copies len bytes from kernel address src to user address dst a page at a time, as
 * copy_from_user does (each page's check, for writing, and copy in one irq-off section). False,
 * with dst partly written, when a page is not present, user and writable.
 */
export function copy_to_user(dst: u64, src: u64, len: u64): bool {
  if (dst >= USER_TOP || len > USER_TOP - dst) return false;
  let first_tick: u64 = 0;
  let n: u64 = 0;
  for (let off: u64 = 0; off < len; off += n) {
    let at = dst + off;
    n = PAGE_SIZE - (at & PAGE_MASK);
    if (n > len - off) n = len - off;
    let irq = irq_save();
    let tick = clock_ticks();
    let ok = user_range_ok(at, n, true);
    if (ok) {
      user_access_begin();
      memcpy(at, src + off, n);
      user_access_end();
    }
    irq_restore(irq);
    if (!ok) return false;
    if (off == 0) first_tick = tick;
    else if (tick != first_tick) {
      copies_out_ticked++; // seen inside a page's irq-off section: taken between two pages
      first_tick = tick;
    }
  }
  return true;
}

/** How many copy_to_user calls a timer tick interrupted (counted once per tick seen; tests). */
export function user_copies_out_ticked(): u64 {
  return copies_out_ticked;
}

export function user_code_ok(addr: u64): bool {
  if (addr >= USER_TOP) return false;
  let e = pte_of(addr, false);
  return (e & PTE_U) != 0 && (e & PTE_NX) == 0;
}
