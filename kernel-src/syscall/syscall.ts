// System calls: syscall/sysret, the table, and each call's argument checks.
//
// arch/x86_64/syscall.S switches to the thread's kernel stack, checks the number against
// NUM_SYSCALLS and calls the handler straight from syscall_table (the fast path: no TypeScript
// dispatcher in between), with interrupts off (SFMASK clears IF); they stay off for the whole
// call, blocking included -- except in the long calls sys_mmap and sys_munmap, whose table entries
// are stubs in arch/x86_64/syscall.S that turn interrupts on around them (the user state is saved on
// the kernel stack by then), so the timer and higher-priority threads are not held up. They
// hold the process's space_lock (a sleeping mutex) and change one page per irq-off section; see
// mm/usercopy.ts for why every other call's check-then-copy stays safe. The general IPC
// paths (sys_ipc_send when the call fast path is not taken, sys_ipc_receive) run with interrupts
// on too: each of their checks and the copy it guards sit in one irq-off section (message_in,
// message_out), the IPC layer brackets its own state with irq_save, a sent buffer (up to
// 64 KiB) is copied in a page at a time (buffer_in, copy_from_user) before the IPC layer sees it,
// and a received one is copied out a page at a time (message_out, copy_to_user) after.
// On the way out it calls sched_return_to_user only when there is work
// (a pending reschedule, or the thread was killed).
// Convention (the seed's): rax = number, rdi rsi rdx r10 r8 = arguments, rax = result, where a
// negative result is an E_* code from abi/errors.ts (numbers: abi/syscall.ts). Every handler decodes and checks all of
// its arguments (ranges, flags, user pointers) before it changes anything; a bad pointer gives
// E_FAULT, never a kernel fault.

import { log_info, put_bytes } from "../lib/log";
import { console_device, irq_save, irq_restore, syscall_entry_init } from "../arch/hal";
import { thread_current, thread_exit, yield_now, thread_sleep, thread_start, thread_set_affinity, sched_cpu_id } from "../sched/scheduler";
import { Process, proc_of, proc_exit, proc_new_thread, proc_fork, proc_port_create, proc_cap_drop, MMAP_BASE, MMAP_LIMIT } from "../proc/process";
import {
  user_range_ok, user_code_ok, user_unmap_page, copy_from_user, copy_to_user, user_read_message, user_write_message,
  user_msg_kva_cached,
} from "../mm/usercopy";
import { thr } from "../sched/thread";
import { this_cpu } from "../sched/percpu";
import { kmalloc, kfree } from "../mm/kmalloc";
import { mutex_lock, mutex_unlock } from "../sched/mutex";
import { vmm_map, vmm_pte, PTE_U, PTE_W, PTE_NX, PTE_OWNED } from "../mm/vmm";
import { vma_add, vma_remove, vma_removed_node, vma_flags, VMA_ANON, VMA_FILE_SHARED } from "../mm/vma";
import { fs_unmapped } from "../fs/vfs";
import { sys_open, sys_close, sys_seek, sys_stat, sys_readdir, sys_spawn, sys_unlink, sys_mmap_file, file_read, file_write } from "./fs_syscalls";
import { FD_FIRST } from "../abi/fs";
import { pmm_unreserve } from "../mm/pmm";
import { PAGE_SIZE, PAGE_MASK, page_round_up } from "../mm/layout";
import { IpcMessage, IPC_MAX_BUFFER, IPC_NONBLOCK, IPC_RECEIVE_MAP, IPC_MAP_MIN, IPC_FLAG_MAPPED, IPC_FLAG_CALL, IPC_FLAG_CAP, IPC_FLAG_SHM, CAP_SEND, CAP_RECEIVE, CAP_SHM_OWNER } from "../abi/ipc";
import { E_OK, E_INVAL, E_FAULT, E_NOSYS, E_NOMEM, E_TOOBIG, E_BADF, E_BADPORT, E_TRUNC } from "../abi/errors";
import { NUM_SYSCALLS, SEND_CALL, SEND_REPLY, SEND_GRANT, SEND_MAP, PROT_WRITE, PROT_EXEC } from "../abi/syscall";
import { CapTable, cap_lookup, cap_install, cap_install_shm, cap_rights, cap_set } from "../ipc/cap";
import { shm_node, shm_put } from "../mm/shm";
import { sys_shm_create, sys_shm_map, sys_shm_restrict, shm_grant_take, shm_cap_revoke } from "./shm_syscalls";
import { USER_PRIORITY_MIN, USER_PRIORITY_MAX } from "../abi/limits";
import { panic } from "../lib/panic";
import { quota_charge_pages, quota_credit_pages } from "../proc/quota";
import {
  copy_message, ipc_buf_alloc, ipc_buf_free, ipc_buf_take_shm, ipc_buf_shm_rights, ipc_buf_alloc_pages, ipc_buf_set_pages,
  ipc_buf_pages, ipc_buf_take_pages, ipc_buf_at, ipc_buf_run, ipc_buf_size,
} from "../ipc/message";
import { pages_take, pages_map } from "../mm/pagemove";
import { futex_wait, futex_wake } from "../sync/futex";
import {
  ipc_send, ipc_receive_staged, ipc_call_staged, ipc_deliver_staged, ipc_drop_staged, ipc_reply,
  ipc_ref_id, ipc_ref_valid, ipc_port_revoke, CALL_STAGED, ipc_call_user_port, ipc_call_user,
  ipc_reply_wait_user_port, ipc_reply_wait_user,
} from "../ipc/port";

/** SYS_FORK's entry (arch/x86_64/syscall.S): calls sys_fork with the user registers. */
declare function sys_fork_entry(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;
/** sys_mmap and sys_munmap with interrupts on (arch/x86_64/syscall.S). */
declare function sys_mmap_preemptible(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;
declare function sys_munmap_preemptible(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;
declare function sys_write_preemptible(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;
declare function sys_ipc_receive_preemptible(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;
/**
 * The table entries of SYS_IPC_SEND and SYS_IPC_REPLY_WAIT (arch/x86_64/ipcfast.S): the common
 * case of a call and of a reply-and-wait between user threads in assembly, everything else by
 * jumping to sys_ipc_call and sys_ipc_reply_wait below.
 */
declare function ipc_call_fast(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;
declare function ipc_reply_wait_fast(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;

const SEND_FLAGS: u64 = 31;
const MAX_IO: u64 = 4096;
const IO_CHUNK: u64 = 256;
/** Console bytes on their way between user memory and the UART (system calls run one at a time). */
let io_buf!: InlineArray<u8, 256>;
const MAX_SLEEP_MS: u64 = 3600000;
const MAX_MMAP: u64 = 64 * 1024 * 1024;
const PROT_ALL: u64 = 7;

type SyscallFn = (a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) => i64;

/** Indexed by arch/x86_64/syscall.S (global for that reason). */
export const syscall_table: readonly SyscallFn[] = [
  sys_exit, sys_write_preemptible, sys_read, sys_unused, sys_unused, sys_sleep, sys_yield, sys_thread_create,
  sys_thread_exit, ipc_call_fast, sys_ipc_receive_preemptible, sys_mmap_preemptible, sys_munmap_preemptible, sys_gettid,
  sys_port_create, sys_cap_drop, sys_cap_revoke, ipc_reply_wait_fast, sys_unused, sys_unused, sys_unused, sys_unused, // 14..21: issue 8
  sys_unused, sys_unused, sys_unused, sys_unused, sys_unused, sys_unused, sys_unused, sys_unused, // 22..29: issue 8
  sys_open, sys_close, sys_seek, sys_stat, sys_readdir, sys_spawn, sys_unlink, sys_mmap_file, // 30..37: fs_syscalls.ts
  sys_fork_entry, // 38: saves every register for sys_fork below (arch/x86_64/syscall.S)
  sys_shm_create, sys_shm_map, sys_shm_restrict, // 39..41: shm_syscalls.ts
  sys_unused, sys_unused, sys_unused, sys_unused, sys_unused, sys_unused, // 42..47
  sys_unused, sys_unused, // 48, 49
  sys_futex_wait, sys_futex_wake, // 50, 51: sync/futex.ts
  sys_sched_setaffinity, sys_getcpu, // 52, 53
];

export function syscall_init(): void {
  log_info(`Initializing system calls...`);
  if (u64(syscall_table.length) != NUM_SYSCALLS) panic(`syscall_table does not have NUM_SYSCALLS (abi/syscall.ts) entries`);
  syscall_entry_init();
  log_info(`System calls initialized`);
}


function sys_unused(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  return E_NOSYS;
}

function sys_exit(code: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  proc_exit(i64(i32(code)));
  return E_OK;
}

/**
 * Called with interrupts on (sys_write_preemptible in arch/x86_64/syscall.S): each chunk of
 * IO_CHUNK bytes is copied and polled out of the UART with interrupts off (io_buf is shared, and
 * a chunk's bytes stay together on the console), interrupts on in between. fd >= FD_FIRST: a file.
 */
export function sys_write(fd: u64, buf: u64, len: u64, a4: u64, a5: u64): i64 {
  if (fd >= FD_FIRST) return file_write(fd, buf, len);
  if (fd != 1 && fd != 2) return E_BADF;
  if (len > MAX_IO) return E_INVAL;
  let irq = irq_save();
  let ok = user_range_ok(buf, len, false); // early, so that a bad range writes nothing
  irq_restore(irq);
  if (!ok) return E_FAULT;
  for (let off: u64 = 0; off < len; off += IO_CHUNK) {
    let n = len - off < IO_CHUNK ? len - off : IO_CHUNK;
    irq = irq_save();
    ok = copy_from_user(addr_of(io_buf), buf + off, n);
    if (ok) put_bytes(addr_of(io_buf), n);
    irq_restore(irq);
    if (!ok) return E_FAULT; // unmapped meanwhile by another thread: the rest is not written
  }
  return i64(len);
}

function sys_read(fd: u64, buf: u64, len: u64, a4: u64, a5: u64): i64 {
  if (fd >= FD_FIRST) return file_read(fd, buf, len);
  if (fd != 0) return E_BADF;
  if (len > MAX_IO) return E_INVAL;
  if (!user_range_ok(buf, len, true)) return E_FAULT;
  let n: u64 = 0;
  while (n < len && n < IO_CHUNK) {
    let c = console_device().getc();
    if (c < 0) break;
    io_buf[i32(n)] = u8(c);
    n++;
  }
  if (n > 0 && !copy_to_user(buf, addr_of(io_buf), n)) return E_FAULT;
  return i64(n);
}

function sys_sleep(ms: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  if (ms > MAX_SLEEP_MS) return E_INVAL;
  thread_sleep(ms);
  return E_OK;
}

/** A system call runs with interrupts off: the scheduler's yield is called directly (no wrapper). */
function sys_yield(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  yield_now(this_cpu(), false); // the caller is a user thread, never the idle thread
  return E_OK;
}

function sys_thread_create(entry: u64, arg: u64, priority: u64, a4: u64, a5: u64): i64 {
  if (priority < USER_PRIORITY_MIN || priority > USER_PRIORITY_MAX) return E_INVAL;
  if (!user_code_ok(entry)) return E_FAULT;
  let t = proc_new_thread(proc_of(thread_current()), entry, arg, u8(priority));
  if (t == null) return E_NOMEM;
  thread_start(t);
  return i64(t.tid);
}

/** Sleeps while the u32 at user address addr equals expected (sync/futex.ts); E_AGAIN if it does not. */
function sys_futex_wait(addr: u64, expected: u64, a3: u64, a4: u64, a5: u64): i64 {
  if ((addr & 3) != 0 || expected > 0xffffffff) return E_INVAL;
  if (!user_range_ok(addr, 4, false)) return E_FAULT;
  return futex_wait(thread_current().proc, addr, u32(expected));
}

/** Wakes up to n threads of this process sleeping on addr; returns how many. */
function sys_futex_wake(addr: u64, n: u64, a3: u64, a4: u64, a5: u64): i64 {
  if ((addr & 3) != 0) return E_INVAL;
  if (!user_range_ok(addr, 4, false)) return E_FAULT;
  return i64(futex_wake(thread_current().proc, addr, n));
}

/** The calling thread may run only on the CPUs of mask; E_INVAL if none of them runs. */
function sys_sched_setaffinity(mask: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  return thread_set_affinity(mask) ? 0 : E_INVAL;
}

function sys_getcpu(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  return i64(sched_cpu_id());
}

function sys_gettid(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  return i64(thread_current().tid);
}

function sys_thread_exit(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  thread_exit();
  return E_OK;
}

/** Checks and copies a user message into the TCB's ipc_user (one irq-off section). */
function message_in(ptr: u64, writable: bool): IpcMessage | null {
  let irq = irq_save();
  let ok = user_range_ok(ptr, sizeof<IpcMessage>(), writable);
  let m = thread_current().ipc_user;
  if (ok) user_read_message(changetype<u64>(m), ptr);
  irq_restore(irq);
  return ok ? m : null;
}

/**
 * Copies the buffer of m (the TCB's ipc_user) into a kernel allocation, Thread.ipc_kbuf, which the
 * IPC layer takes over when it sends m (port.ts copy_in_buffer); a page at a time, interrupts on
 * in between. send_done frees it if the send failed before that. A granted shared-memory object
 * (shm, with the rights it goes with) travels in the kernel copy, which then exists even with no
 * data (ipc/message.ts); the reference is taken from the sender's slot h in one irq-off section
 * with the slot's check (another thread may drop it meanwhile).
 */
function buffer_in(m: IpcMessage, grant_shm: bool, h: u64, map: bool): i64 {
  if (m.buffer == 0) m.buffer_size = 0;
  if (m.buffer_size == 0 && !grant_shm) return E_OK;
  return kernel_copy_in(m, grant_shm, h, map);
}

/** buffer_in's work when there is something to carry. @noinline (off the common path) */
function kernel_copy_in(m: IpcMessage, grant_shm: bool, h: u64, map: bool): i64 {
  let k = map ? buffer_by_mapping(m) : 0;
  if (k == 0) k = ipc_buf_alloc(m.buffer_size, changetype<u64>(proc_of(thread_current()).quota)); // over quota: E_NOMEM
  if (k == 0) return E_NOMEM;
  if (m.buffer_size != 0 && ipc_buf_pages(k) == 0 && !copy_from_user(k, m.buffer, m.buffer_size)) {
    ipc_buf_free(k);
    return E_FAULT;
  }
  if (grant_shm && !shm_grant_take(k, h)) {
    ipc_buf_free(k);
    return E_BADPORT; // dropped by another thread meanwhile
  }
  thread_current().ipc_kbuf = k;
  return E_OK;
}

/**
 * SEND_MAP: a kernel copy of m's buffer that holds its pages, shared copy-on-write
 * (mm/pagemove.ts), when the buffer is page aligned and at least IPC_MAP_MIN bytes and every page
 * is private memory; else 0 (it is copied). @noinline (off the common path)
 */
function buffer_by_mapping(m: IpcMessage): u64 {
  if (m.buffer_size < IPC_MAP_MIN || (m.buffer & PAGE_MASK) != 0) return 0;
  let k = ipc_buf_alloc_pages(m.buffer_size, changetype<u64>(proc_of(thread_current()).quota));
  if (k == 0) return 0;
  if (!pages_take(proc_of(thread_current()).space, m.buffer, page_round_up(m.buffer_size) / PAGE_SIZE, k)) {
    ipc_buf_free(k); // holds no page yet
    return 0;
  }
  ipc_buf_set_pages(k);
  return k;
}

/**
 * The receiver's half of SEND_MAP (interrupts off): maps the pages kernel copy k holds as a new
 * mapping in our mmap area (mm/pagemove.ts pages_map) and points m at it. False when it cannot
 * (the caller copies them instead). @noinline (off the common path)
 */
function buffer_mapped_in(m: IpcMessage, k: u64): bool {
  let p = proc_of(thread_current());
  let pages = ipc_buf_pages(k);
  let base = p.mmap_next;
  if (base + pages * PAGE_SIZE > MMAP_LIMIT || !quota_charge_pages(p.quota, pages, false)) return false;
  if (!pages_map(p.space, base, k, pages)) {
    quota_credit_pages(p.quota, pages, false);
    return false;
  }
  ipc_buf_take_pages(k);
  p.mmap_next = base + pages * PAGE_SIZE + PAGE_SIZE; // an unmapped page between mappings
  m.buffer = base;
  m.buffer_size = ipc_buf_size(k);
  m.flags |= IPC_FLAG_MAPPED;
  return true;
}

/** Copies the first n bytes of kernel copy k to the user's dst, a page at a time (copy_to_user). @noinline */
function buffer_out(dst: u64, k: u64, n: u64): bool {
  for (let off: u64 = 0; off < n; ) {
    let run = ipc_buf_run(k, off, n - off);
    if (!copy_to_user(dst + off, ipc_buf_at(k, off), run)) return false;
    off += run;
  }
  return true;
}

function send_done(r: i64): i64 {
  let t = thread_current();
  if (t.ipc_kbuf != 0) ipc_buf_free(t.ipc_kbuf);
  t.ipc_kbuf = 0;
  return r;
}

function buffer_ok(m: IpcMessage, writable: bool): bool {
  return m.buffer_size == 0 || user_range_ok(m.buffer, m.buffer_size, writable);
}

/**
 * After a blocking wait: check the destination again, deliver the message into m (the TCB's
 * ipc_user) with its check, in one irq-off section; with no kernel copy (no buffer, no object)
 * write the message back in that same section. Else (message_out_buffer) copy the buffer out a
 * page at a time with interrupts on in between (copy_to_user; port.ts finish leaves the kernel
 * copy in Thread.ipc_kbuf), or map it; then write the message back, checked again, in one irq-off
 * section. A page found unmapped on the way makes it E_FAULT, the message dropped as
 * ipc_drop_staged does (a caller is woken with E_FAULT), the user buffer perhaps partly written.
 */
function message_out(ptr: u64, m: IpcMessage, map: bool): i64 {
  let irq = irq_save();
  if (!user_range_ok(ptr, sizeof<IpcMessage>(), true) || !buffer_ok(m, true)) {
    ipc_drop_staged(m);
    irq_restore(irq);
    return E_FAULT;
  }
  let r = ipc_deliver_staged(m);
  if (thread_current().ipc_kbuf == 0) { // no buffer and no object: all of it in this one section
    receive_cap(m, 0, 0);
    user_write_message(ptr, changetype<u64>(m));
    irq_restore(irq);
    return r;
  }
  irq_restore(irq);
  return message_out_buffer(ptr, m, map, r);
}

/**
 * message_out for a message with a kernel copy (Thread.ipc_kbuf, ours alone): its buffer mapped
 * (map: IPC_RECEIVE_MAP, and it holds pages) or copied out a page at a time, its shared-memory
 * object installed; r is the delivery's status. @noinline (off the common path)
 */
function message_out_buffer(ptr: u64, m: IpcMessage, map: bool, r: i64): i64 {
  let t = thread_current();
  let k = t.ipc_kbuf;
  t.ipc_kbuf = 0;
  let shm_rights = ipc_buf_shm_rights(k);
  let shm = ipc_buf_take_shm(k); // a granted shared-memory object: its reference is ours now
  let irq = irq_save();
  let mapped = map && ipc_buf_pages(k) != 0 && buffer_mapped_in(m, k);
  irq_restore(irq);
  if (mapped && r == E_TRUNC) r = E_OK; // a mapping is not cut to the buffer we offered
  let ok = mapped || buffer_out(m.buffer, k, m.buffer_size);
  ipc_buf_free(k);
  irq = irq_save();
  ok = ok && user_range_ok(ptr, sizeof<IpcMessage>(), true);
  if (ok) {
    receive_cap(m, shm, shm_rights);
    user_write_message(ptr, changetype<u64>(m));
  } else {
    ipc_drop_staged(m);
    if (shm != 0) shm_put(shm);
  }
  irq_restore(irq);
  return ok ? r : E_FAULT;
}

/**
 * A message that carries a capability (IPC_FLAG_CAP) gets the handle the receiver now holds for
 * it: a send right (cap = a port reference), or the shared-memory object shm (its reference
 * given over here; IPC_FLAG_SHM set too). cap 0 and the flags cleared when the port is gone, the
 * object revoked, or the table full. Any other message gets cap 0.
 */
function receive_cap(m: IpcMessage, shm: u64, shm_rights: u64): void {
  if (shm == 0 && (m.flags & IPC_FLAG_CAP) == 0) {
    m.cap = 0;
    return;
  }
  install_cap(m, shm, shm_rights);
}

/** receive_cap's work for a message that carries a capability. @noinline (off the common path) */
function install_cap(m: IpcMessage, shm: u64, shm_rights: u64): void {
  let caps = changetype<CapTable>(thread_current().caps);
  let h: u64 = 0;
  if (shm != 0) {
    h = shm_node(shm) != 0 ? cap_install_shm(caps, shm, shm_rights, ipc_ref_valid) : 0;
    if (h == 0) shm_put(shm);
  } else if ((m.flags & IPC_FLAG_CAP) != 0 && ipc_ref_valid(m.cap)) {
    h = cap_install(caps, m.cap, CAP_SEND, ipc_ref_valid);
  }
  m.cap = h;
  m.flags &= ~(IPC_FLAG_CAP | IPC_FLAG_SHM);
  if (h != 0) m.flags |= shm != 0 ? IPC_FLAG_CAP | IPC_FLAG_SHM : IPC_FLAG_CAP;
}

/**
 * SYS_IPC_SEND's table entry. A plain call (flags exactly SEND_CALL, the common case) whose
 * message lies in the page the thread checked last (user_msg_kva_cached) and that finds a
 * receiver waiting takes the fast path (ipc/port.ts ipc_call_user): the message is read in place
 * and the reply written straight into it. Anything else (flags, a page not cached yet, no receiver,
 * a buffer, a bad handle) goes to the general path, sys_ipc_send with interrupts on, before
 * anything has changed: it decides, errors included. When the general path of the server staged
 * the reply, staged_reply_out delivers it as message_out does. Nothing but the thread is carried
 * across the switch (ptr waits in Thread.ipc_uptr), so no callee-saved registers are saved.
 */
export function sys_ipc_call(h: u64, ptr: u64, flags: u64, a4: u64, a5: u64): i64 {
  let c = this_cpu();
  let me = thr(c.current);
  let kva = user_msg_kva_cached(me, ptr);
  let pa: u64 = 0;
  if (flags == SEND_CALL && kva != 0) pa = ipc_call_user_port(me, h, kva);
  if (pa == 0) return sys_ipc_send_preemptible(h, ptr, flags, 0, 0); // a4, a5 unused: not kept live
  me.ipc_uptr = ptr;
  let r = ipc_call_user(c, me, pa, kva);
  return r != CALL_STAGED ? r : staged_reply_out(thread_current().ipc_uptr);
}

/** sys_ipc_send with interrupts on (arch/x86_64/syscall.S). */
declare function sys_ipc_send_preemptible(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;

/** sys_ipc_call's end when the reply was staged by the general path (also arch/x86_64/ipcfast.S's). */
export function staged_reply_out(ptr: u64): i64 {
  let m = thread_current().ipc_user;
  if (!user_range_ok(ptr, sizeof<IpcMessage>(), true)) {
    ipc_drop_staged(m);
    return E_FAULT;
  }
  user_read_message(changetype<u64>(m), ptr); // for finish: the request's buffer (its size was 0)
  m.buffer_size = 0;
  return message_out(ptr, m, false);
}

/**
 * The general path of SYS_IPC_SEND (and all of it for sends, replies, calls with flags). Runs
 * with interrupts on (sys_ipc_send_preemptible in arch/x86_64/syscall.S).
 */
export function sys_ipc_send(h: u64, ptr: u64, flags: u64, a4: u64, a5: u64): i64 {
  if ((flags & ~SEND_FLAGS) != 0 || (flags & SEND_CALL & (flags >> 1)) != 0) return E_INVAL;
  if ((flags & SEND_REPLY) != 0) return (flags & (SEND_GRANT | SEND_MAP)) != 0 ? E_INVAL : reply_user(ptr, ptr);
  let call = (flags & SEND_CALL) != 0;
  let m = message_in(ptr, call);
  if (m == null) return E_FAULT;
  if (m.buffer_size > IPC_MAX_BUFFER) return E_TOOBIG;
  let map = (flags & SEND_MAP) != 0;
  if (!buffer_ok(m, call && !map)) return E_FAULT; // checked again page by page as buffer_in copies it
  let grant_shm = false;
  let shm_h = m.cap;
  let caps = changetype<CapTable>(thread_current().caps);
  let port = ipc_ref_id(cap_lookup(caps, h, CAP_SEND));
  if (port == 0) return E_BADPORT;
  m.flags = 0; // the kernel's to set
  if ((flags & SEND_GRANT) != 0) {
    let ref = cap_lookup(caps, m.cap, CAP_SEND);
    grant_shm = !ipc_ref_valid(ref); // else a shared-memory object: buffer_in takes it
    m.cap = grant_shm ? 0 : ref; // the receiver gets a handle of its own for it (message_out)
    m.flags = IPC_FLAG_CAP;
  }
  let r = buffer_in(m, grant_shm, shm_h, map);
  if (r != E_OK) return r;
  if (!call) return send_done(ipc_send(port, m, flags & IPC_NONBLOCK));
  r = send_done(ipc_call_staged(port, m));
  if (map) { // the request's pages may be shared with the receiver now: no reply buffer lands there
    m.buffer = 0;
    m.buffer_size = 0;
  }
  return r == E_OK ? message_out(ptr, m, false) : r;
}

/**
 * Answers the call received in the user message at req_ptr with the one at resp_ptr (SEND_REPLY:
 * the same message): the reply goes out with req's sender, msg_id and flags, which name the call
 * (ipc/port.ts reply_locked checks that we hold its reply right), and resp's type, inline data
 * and buffer. Runs with interrupts on, like sys_ipc_send.
 */
function reply_user(req_ptr: u64, resp_ptr: u64): i64 {
  let m = message_in(req_ptr, false);
  if (m == null) return E_FAULT;
  if (resp_ptr != req_ptr) {
    let sender = m.sender_tid;
    let id = m.msg_id;
    let flags = m.flags;
    m = message_in(resp_ptr, false);
    if (m == null) return E_FAULT;
    m.sender_tid = sender;
    m.msg_id = id;
    m.flags = flags;
  }
  if (m.buffer_size > IPC_MAX_BUFFER) return E_TOOBIG;
  if (!buffer_ok(m, false)) return E_FAULT; // checked again page by page as buffer_in copies it
  let r = buffer_in(m, false, 0, false);
  return r != E_OK ? r : send_done(ipc_reply(m, m));
}

/**
 * SYS_IPC_REPLY_WAIT's table entry (h: a handle with the receive right; req_ptr: the call being
 * answered, and where the next message is received; resp_ptr: the reply). The fast path
 * (ipc/port.ts ipc_reply_wait_user) when req and resp are one message, in the page the thread
 * checked last, answering the call last handed to this thread, inline only, with nothing queued
 * on the port; otherwise the general path, reply_wait_general with interrupts on, before anything
 * has changed. A message staged by a general path is delivered by staged_receive_out, as a
 * receive does. As in sys_ipc_call, only the thread is carried across the switch.
 */
export function sys_ipc_reply_wait(h: u64, req_ptr: u64, resp_ptr: u64, a4: u64, a5: u64): i64 {
  let c = this_cpu();
  let me = thr(c.current);
  let kva = user_msg_kva_cached(me, req_ptr);
  let pa: u64 = 0;
  if (kva != 0 && resp_ptr == req_ptr) pa = ipc_reply_wait_user_port(me, h, kva);
  if (pa == 0) return reply_wait_general_preemptible(h, req_ptr, resp_ptr, 0, 0); // a4, a5 unused
  me.ipc_uptr = req_ptr;
  let r = ipc_reply_wait_user(c, me, pa, kva);
  return r != CALL_STAGED ? r : staged_receive_out_preemptible(thread_current().ipc_uptr, 0, 0, 0, 0);
}

/** reply_wait_general and staged_receive_out with interrupts on (arch/x86_64/syscall.S). */
declare function reply_wait_general_preemptible(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;
declare function staged_receive_out_preemptible(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64;

/**
 * The general path of SYS_IPC_REPLY_WAIT: when req is a call, reply_user, then the receive of
 * sys_ipc_receive. A failed reply is returned without waiting. The handle is checked first, so
 * that a bad one changes nothing. Runs with interrupts on.
 */
export function reply_wait_general(h: u64, req_ptr: u64, resp_ptr: u64, a4: u64, a5: u64): i64 {
  if (ipc_ref_id(cap_lookup(changetype<CapTable>(thread_current().caps), h, CAP_RECEIVE)) == 0) return E_BADPORT;
  let m = message_in(req_ptr, true);
  if (m == null) return E_FAULT;
  if ((m.flags & IPC_FLAG_CALL) != 0) {
    let r = reply_user(req_ptr, resp_ptr);
    if (r != E_OK) return r;
  }
  return sys_ipc_receive(h, req_ptr, 0, 0, 0);
}

/**
 * When the message that ended ipc_reply_wait_user's wait was staged by the general path: deliver
 * it into the user message at ptr as sys_ipc_receive does (message_out), its buffer into the
 * destination ptr names now (read again: the fast path did not read it). Runs with interrupts on
 * (staged_receive_out_preemptible in arch/x86_64/syscall.S).
 */
export function staged_receive_out(ptr: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  let m = message_in(ptr, true);
  if (m == null) {
    ipc_drop_staged(thread_current().ipc_user);
    return E_FAULT;
  }
  return message_out(ptr, m, false);
}

/** Runs with interrupts on (sys_ipc_receive_preemptible in arch/x86_64/syscall.S). */
export function sys_ipc_receive(h: u64, ptr: u64, flags: u64, a4: u64, a5: u64): i64 {
  if ((flags & ~(IPC_NONBLOCK | IPC_RECEIVE_MAP)) != 0) return E_INVAL;
  let m = message_in(ptr, true);
  if (m == null) return E_FAULT;
  if (m.buffer_size > IPC_MAX_BUFFER) return E_TOOBIG;
  if (!buffer_ok(m, true)) return E_FAULT;
  let port = ipc_ref_id(cap_lookup(changetype<CapTable>(thread_current().caps), h, CAP_RECEIVE));
  if (port == 0) return E_BADPORT;
  let r = ipc_receive_staged(port, flags & IPC_NONBLOCK, proc_of(thread_current()).pid, m);
  return r == E_OK ? message_out(ptr, m, (flags & IPC_RECEIVE_MAP) != 0) : r;
}

/** A new port owned by the caller's process: its handle (send and receive rights). */
function sys_port_create(a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  return proc_port_create(proc_of(thread_current()));
}

function sys_cap_drop(h: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  return proc_cap_drop(proc_of(thread_current()), h) ? E_OK : E_BADPORT;
}

/**
 * Revokes every right to the port named by h (which must carry the receive right, i.e. belong to its
 * owner) except h itself: the port gets a new serial and h is updated to it.
 */
function sys_cap_revoke(h: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  let caps = changetype<CapTable>(thread_current().caps);
  if ((cap_rights(caps, h) & CAP_SHM_OWNER) != 0) return shm_cap_revoke(caps, h);
  let irq = irq_save();
  let id = ipc_ref_id(cap_lookup(caps, h, CAP_RECEIVE));
  if (id != 0) cap_set(caps, h, ipc_port_revoke(id), CAP_SEND | CAP_RECEIVE);
  irq_restore(irq);
  return id != 0 ? E_OK : E_BADPORT;
}

/** SYS_FORK, from sys_fork_entry with the caller's registers (proc/process.ts proc_fork). */
export function sys_fork(regs: u64): i64 {
  return proc_fork(regs);
}

/** Called with interrupts on (sys_mmap_preemptible in arch/x86_64/syscall.S). */
export function sys_mmap(addr: u64, len: u64, prot: u64, a4: u64, a5: u64): i64 {
  if (addr != 0 || len == 0 || len > MAX_MMAP || (prot & ~PROT_ALL) != 0) return E_INVAL;
  if ((prot & PROT_WRITE) != 0 && (prot & PROT_EXEC) != 0) return E_INVAL; // W^X: never both
  let p = proc_of(thread_current());
  mutex_lock(p.space_lock);
  let r = mmap_locked(p, page_round_up(len), prot);
  mutex_unlock(p.space_lock);
  return r;
}

/**
 * Anonymous memory is demand paged: mmap only records a VMA; each page gets a zeroed frame on its
 * first touch (mm/vma.ts vm_fault, or vm_populate when a system call touches it first).
 */
function mmap_locked(p: Process, size: u64, prot: u64): i64 {
  if (!quota_charge_pages(p.quota, size / PAGE_SIZE, false)) return E_NOMEM; // PROC_MAX_PAGES
  let irq = irq_save(); // the address and its VMA in one step (SYS_MMAP_FILE picks addresses too)
  let base = p.mmap_next;
  let ok = base + size <= MMAP_LIMIT &&
    vma_add(p.space, base, base + size, vma_flags((prot & PROT_WRITE) != 0, (prot & PROT_EXEC) != 0), VMA_ANON);
  if (ok) p.mmap_next = base + size + PAGE_SIZE; // an unmapped page between mappings
  irq_restore(irq);
  if (!ok) quota_credit_pages(p.quota, size / PAGE_SIZE, false);
  return ok ? i64(base) : E_NOMEM;
}

/** Called with interrupts on (sys_munmap_preemptible in arch/x86_64/syscall.S). */
export function sys_munmap(addr: u64, len: u64, a3: u64, a4: u64, a5: u64): i64 {
  if ((addr & PAGE_MASK) != 0 || len == 0 || len > MAX_MMAP) return E_INVAL;
  let p = proc_of(thread_current());
  mutex_lock(p.space_lock);
  let r = munmap_locked(p, addr, page_round_up(len));
  mutex_unlock(p.space_lock);
  return r;
}

/** The range must lie in one anonymous VMA (which is cut or split) or be a whole file mapping. */
function munmap_locked(p: Process, addr: u64, size: u64): i64 {
  if (addr < MMAP_BASE || addr > p.mmap_next || size > p.mmap_next - addr) return E_INVAL; // no wrap
  let kind = vma_remove(p.space, addr, addr + size);
  if (kind == 0) return E_INVAL;
  quota_credit_pages(p.quota, size / PAGE_SIZE, false);
  let node = vma_removed_node();
  for (let off: u64 = 0; off < size; off += PAGE_SIZE) { // one page per irq-off section
    let irq = irq_save();
    if (vmm_pte(p.space, addr + off) != 0) user_unmap_page(p.space, addr + off); // frees an owned frame
    else if (kind != VMA_FILE_SHARED) pmm_unreserve(1); // never touched: its promised frame goes back
    irq_restore(irq);
  }
  if (node != 0) {
    let irq = irq_save();
    fs_unmapped(node);
    irq_restore(irq);
  }
  return E_OK;
}
