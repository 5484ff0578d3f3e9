// User processes: an address space, its threads, an IPC port, and what happens when they end.
//
// A process is created from an ELF image embedded in the kernel (symbols __user_<name>_start/_end
// from the build). Its first thread enters ring 3 at the ELF entry with rdi = the process's own
// port (runtime/user_start.S passes it to main). Each thread gets a 64 KiB user stack below
// USER_STACK_TOP, with an unmapped guard page between stacks. A thread's stack pages go back to
// the PMM when the thread exits (user_unmap_page, so every cached user check drops), and its slot
// goes on the process's list of free stack slots for the next thread: a process that keeps
// creating and ending threads uses the same few slots, so it needs no new table pages either.
// Lifetime: the process ends when its last thread exits; then its port is destroyed and its
// address space (every frame and table page) freed. SYS_EXIT and faults kill the other threads
// first (they exit on their next way back to ring 3, see sched_return_to_user). The Process
// record itself stays until proc_wait collects the status, or is freed at once when detached.
//
// space_lock (a sleeping mutex, sched/mutex.ts) serializes the changes system calls make to the
// address space with interrupts on: sys_mmap and sys_munmap hold it for their whole work (their
// checks, mmap_next, and every page they map or unmap). Everything else that looks at the user
// mappings runs with interrupts off, and each single page is mapped or unmapped (with its frame
// freed and the user-unmap generation bumped, mm/usercopy.ts) inside one irq-off section,
// so a check and the copy after it, both in one irq-off section, see one state. Teardown
// (proc_thread_exit) runs when the last thread has exited, so nobody can hold or wait for the
// lock then; it asserts that.

import { AddressSpace, vmm_create_address_space, vmm_destroy_address_space, vmm_map, vmm_kernel_space, PTE_U, PTE_W, PTE_NX, PTE_OWNED } from "../mm/vmm";
import { pmm_alloc_zeroed, pmm_free } from "../mm/pmm";
import { kmalloc } from "../mm/heap";
import { user_unmap_page } from "../mm/usercopy";
import { PAGE_SIZE } from "../mm/layout";
import { elf_load } from "./elf";
import { Thread, thr } from "../sched/thread";
import { thread_new, thread_start, thread_current, thread_exit, thread_kill, thread_for_each, thread_sleep } from "../sched/scheduler";
import { ipc_create_port, ipc_destroy_port, ipc_destroy_port_locked } from "../ipc/port";
import { log_info, log_error } from "../lib/log";
import { fault_report, InterruptFrame, mmu_switch, irq_disable } from "../arch/hal";
import { Mutex, mutex_idle } from "../sched/mutex";
import { panic } from "../lib/panic";

declare function enter_user(rip: u64, rsp: u64, arg: u64): void;

export const USER_STACK_TOP: u64 = 0x00007fffffff0000;
export const USER_STACK_SIZE: u64 = 65536;
export const MMAP_BASE: u64 = 0x0000100000000000;
export const MMAP_LIMIT: u64 = 0x0000200000000000;
/** Exit status of a process killed by a CPU exception: 128 + vector, negated. */
export const EXIT_FAULT_BASE: i64 = -128;

export class Process {
  pid: u64 = 0;
  name_len: u64 = 0;
  name!: InlineArray<u8, 32>;
  space!: AddressSpace;
  threads: u64 = 0;
  exit_code: i64 = 0;
  exited: bool = false;
  detached: bool = false;
  faulted: bool = false;
  port: u64 = 0;
  mmap_next: u64 = 0;
  stack_next: u64 = 0; // top of the next fresh stack slot (below every slot used so far)
  free_stacks: u64 = 0; // slots of exited threads: a list of StackSlot (heap), unmapped
  space_lock!: Inline<Mutex>; // held by mmap and munmap (see the header)
}

/** A free stack slot (the top of its stack), kept on Process.free_stacks. */
class StackSlot {
  top: u64 = 0;
  next: u64 = 0;
}

let next_pid: u64 = 1;
let live_processes: u64 = 0;

export function proc_of(t: Thread): Process {
  return changetype<Process>(t.proc);
}

export function proc_name(p: Process): string {
  return changetype<string>(changetype<u64>(p) + offsetof<Process>("name"));
}

function set_name(p: Process, name: string): void {
  let n = u64(name.length);
  if (n > 31) n = 31;
  let dst = changetype<u64>(p) + offsetof<Process>("name");
  memcpy(dst, changetype<usize>(name), n);
  store<u8>(dst + n, 0);
  p.name_len = n;
}

/** First code of every user thread (in the kernel): drop to ring 3. */
function user_thread_main(arg: u64): void {
  let t = thread_current();
  enter_user(t.user_entry, t.user_stack, t.user_arg);
}

/** The top of a stack slot for a new thread: a freed one if any, else a fresh one below the rest. */
function stack_slot_take(p: Process): u64 {
  if (p.free_stacks != 0) {
    let s = changetype<StackSlot>(p.free_stacks);
    let top = s.top;
    p.free_stacks = s.next;
    destroy(s);
    return top;
  }
  let top = p.stack_next;
  p.stack_next = top - USER_STACK_SIZE - PAGE_SIZE; // leave a guard page
  return top;
}

/**
 * Unmaps the stack below top (freeing its frames; pages never mapped are skipped) and puts the
 * slot on the free list. If the list node cannot be allocated the slot's addresses stay unused.
 */
function stack_release(p: Process, top: u64): void {
  for (let va = top - USER_STACK_SIZE; va < top; va += PAGE_SIZE) user_unmap_page(p.space, va);
  let a = kmalloc(sizeof<StackSlot>());
  if (a == 0) return;
  let s = changetype<StackSlot>(a);
  s.top = top;
  s.next = p.free_stacks;
  p.free_stacks = changetype<u64>(s);
}

function free_stack_list(p: Process): void {
  while (p.free_stacks != 0) {
    let s = changetype<StackSlot>(p.free_stacks);
    p.free_stacks = s.next;
    destroy(s);
  }
}

/** A new (not yet started) thread of p entering ring 3 at entry(arg) on a fresh user stack. */
export function proc_new_thread(p: Process, entry: u64, arg: u64, priority: u8): Thread | null {
  let top = stack_slot_take(p);
  for (let va = top - USER_STACK_SIZE; va < top; va += PAGE_SIZE) {
    let pa = pmm_alloc_zeroed();
    if (pa != 0 && vmm_map(p.space, va, pa, PTE_U | PTE_W | PTE_NX | PTE_OWNED)) continue;
    if (pa != 0) pmm_free(pa); // no table page for it
    stack_release(p, top);
    return null;
  }
  let t = thread_new(user_thread_main, 0, priority, proc_name(p));
  if (t == null) {
    stack_release(p, top);
    return null;
  }
  t.proc = changetype<u64>(p);
  t.cr3 = p.space.pml4;
  t.user_entry = entry;
  t.user_stack = top;
  t.user_arg = arg;
  p.threads++;
  return t;
}

/** Loads and starts a program; null if the image is bad or memory ran out. */
export function proc_spawn(name: string, image: u64, image_end: u64, priority: u8, detached: bool): Process | null {
  let space = vmm_create_address_space();
  if (space == null) return null;
  let entry = elf_load(space, image, image_end - image);
  if (entry == 0) {
    log_error(`exec ${name}: not a valid x86-64 executable, or out of memory`);
    vmm_destroy_address_space(space);
    return null;
  }
  let p = new Process();
  set_name(p, name);
  p.space = space;
  p.pid = next_pid++;
  p.detached = detached;
  p.mmap_next = MMAP_BASE;
  p.stack_next = USER_STACK_TOP;
  p.port = ipc_create_port(p.pid);
  let t = proc_new_thread(p, entry, p.port, priority);
  if (t == null || p.port == 0) {
    log_error(`exec ${name}: out of memory`);
    if (p.port != 0) ipc_destroy_port(p.port);
    vmm_destroy_address_space(space);
    free_stack_list(p);
    destroy(p);
    return null;
  }
  live_processes++;
  log_info(`Process started: pid=${p.pid}, name=${name}, entry=${hex(entry)}, port=${p.port}`);
  thread_start(t);
  return p;
}

/** Called by thread_exit (interrupts off) for a thread of a process. */
export function proc_thread_exit(t: Thread): void {
  let p = proc_of(t);
  p.threads--;
  if (p.threads > 0) {
    stack_release(p, t.user_stack); // the thread runs on its kernel stack from here on
    return;
  }
  if (!mutex_idle(p.space_lock)) panic(`process ${p.pid}: address space torn down while its lock is in use`);
  ipc_destroy_port_locked(p.port);
  mmu_switch(vmm_kernel_space().pml4);
  vmm_destroy_address_space(p.space);
  free_stack_list(p);
  live_processes--;
  log_info(`Process exited: pid=${p.pid}, name=${proc_name(p)}, status=${p.exit_code}`);
  p.exited = true;
  if (p.detached) destroy(p);
}

function kill_if_member(a: u64, proc: u64): void {
  let t = thr(a);
  if (t.proc == proc && a != changetype<u64>(thread_current())) thread_kill(t);
}

/** Ends the calling thread's whole process with `code` (SYS_EXIT). */
export function proc_exit(code: i64): void {
  let t = thread_current();
  let p = proc_of(t);
  irq_disable();
  p.exit_code = code;
  thread_for_each(kill_if_member, t.proc);
  thread_exit();
}

/** A CPU exception in ring 3: report it, kill the process; the kernel goes on. */
export function proc_user_fault(f: InterruptFrame): void {
  let t = thread_current();
  let p = proc_of(t);
  log_error(`user fault: pid ${p.pid} (${proc_name(p)}), tid ${t.tid}: killing the process`);
  fault_report(f, "[ERROR]   ");
  p.faulted = true;
  p.exit_code = EXIT_FAULT_BASE - i64(f.vector);
  thread_for_each(kill_if_member, t.proc);
  thread_exit();
}

/** Waits for p to end (polling by sleep), frees it and returns its exit status. */
export function proc_wait(p: Process): i64 {
  while (!p.exited) thread_sleep(10);
  let code = p.exit_code;
  destroy(p);
  return code;
}

export function proc_live(): u64 {
  return live_processes;
}
