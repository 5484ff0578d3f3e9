// User processes: an address space, its threads, an IPC port, and what happens when they end.
//
// A process is created from an ELF image: a file of the ramdisk (proc_spawn_path("/bin/demo"),
// fs/vfs.ts), or any image in memory (proc_spawn). Its first thread enters ring 3 at the ELF entry with rdi = the process's own
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
import { kmalloc, kfree } from "../mm/kmalloc";
import { slab_cache_create, slab_zalloc } from "../mm/slab";
import { fs_lookup, fs_is_dir, fs_contiguous, fs_span, fs_size, fs_closed, fs_opened, open_file, OpenFile } from "../fs/vfs";
import { space_fork } from "./fork";
import { E_AGAIN, E_NOMEM, E_INVAL } from "../abi/errors";
import { user_unmap_page } from "../mm/usercopy";
import { PAGE_SIZE, USER_TOP } from "../mm/layout";
import { vma_add, vma_free_all, vm_fault, vm_fault_reason, VMA_GUARD, VM_OK } from "../mm/vma";
import { elf_load } from "./elf";
import { Thread, thr, AFFINITY_ALL } from "../sched/thread";
import { thread_new, thread_start, thread_current, thread_exit, thread_kill, thread_for_each, thread_sleep } from "../sched/scheduler";
import { ipc_create_port, ipc_destroy_port, ipc_destroy_port_locked, ipc_port_ref, ipc_ref_id, ipc_ref_valid } from "../ipc/port";
import { log_info, log_error } from "../lib/log";
import { fault_report, InterruptFrame, mmu_switch, irq_disable, irq_save, irq_restore, fpu_state_init } from "../arch/hal";
import { Mutex, mutex_idle } from "../sched/mutex";
import { panic } from "../lib/panic";
import { Quota, quota_new, quota_release, quota_charge_pages, quota_credit_pages, quota_inherit_pages } from "./quota";
import { PROC_MAX_THREADS, PROC_MAX_PORTS } from "../abi/limits";
import { CapTable, cap_table_new, cap_table_free, cap_set, cap_install, cap_inherit, cap_for_each, cap_lookup, cap_drop } from "../ipc/cap";
import { service_port_id } from "../ipc/service";
import { SERVICE_PORT, OWN_PORT, CAP_SEND, CAP_RECEIVE } from "../abi/ipc";

declare function enter_user(rip: u64, rsp: u64, arg: u64): void;
declare function enter_user_regs(regs: u64): void;

export const USER_STACK_TOP: u64 = 0x00007fffffff0000;
export const USER_STACK_SIZE: u64 = 65536;
const STACK_PAGES: u64 = USER_STACK_SIZE / PAGE_SIZE; // charged to the quota per thread stack
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
  quota!: Quota; // IPC bytes held in the kernel and pages mapped (proc/quota.ts); threads are counted above
  caps: CapTable | null = null; // how the process names ports (ipc/cap.ts); freed at teardown
  ports: u64 = 0; // ports it owns (at most PROC_MAX_PORTS)
  files!: InlineArray<u64, 16>; // open files (fs/vfs.ts OpenFile) by descriptor; 0..2 are the console's
  fork_regs!: InlineArray<u64, 16>; // a forked child's first user registers (ForkRegs layout, proc/fork.ts)
}

/** User processes alive at once at most: fork (and spawn) beyond it fail (a fork bomb stops here). */
export const MAX_PROCESSES: u64 = 32;

export const MAX_FILES: u64 = 16;

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

/** The pid of the Process at address proc (a Thread's proc field), for the IPC fast paths. @inline */
export function proc_pid(proc: u64): u64 {
  return changetype<Process>(proc).pid;
}

export function proc_name(p: Process): string {
  return changetype<string>(changetype<u64>(p) + offsetof<Process>("name"));
}

function set_name(p: Process, name: u64, len: u64): void {
  let n = len;
  if (n > 31) n = 31;
  let dst = changetype<u64>(p) + offsetof<Process>("name");
  memcpy(dst, name, n);
  store<u8>(dst + n, 0);
  p.name_len = n;
}

/** First code of every user thread (in the kernel): drop to ring 3. */
function user_thread_main(arg: u64): void {
  let t = thread_current();
  if (t.killed) thread_exit(); // killed before it first ran: it never runs a user instruction
  enter_user(t.user_entry, t.user_stack, t.user_arg);
}

/** First code of a forked child's thread: back to ring 3 where its parent called SYS_FORK. */
function fork_child_main(arg: u64): void {
  enter_user_regs(changetype<u64>(proc_of(thread_current())) + offsetof<Process>("fork_regs"));
}

const FORK_RFLAGS_KEEP: u64 = 0xcd5; // CF PF AF ZF SF DF OF: the arithmetic flags; IF is set, IOPL 0
const RFLAGS_IF_RESERVED: u64 = 0x202;

/**
 * SYS_FORK: a new process whose address space is a copy-on-write copy of the caller's
 * (proc/fork.ts space_fork), with one thread: a copy of the calling one, which returns 0 from the
 * system call with every other register as the parent had it (regs: the 16 words sys_fork_entry
 * saved). It gets its own port and copies of the open files (own offsets); it is detached. The
 * parent gets the child's pid, or E_AGAIN at MAX_PROCESSES, E_NOMEM when memory is short or the
 * parent's capability table leaves no slot for the child's own port.
 */
export function proc_fork(regs: u64): i64 {
  let t = thread_current();
  let parent = proc_of(t);
  if (live_processes >= MAX_PROCESSES) return E_AGAIN;
  if (load<u64>(regs, 104) >= USER_TOP) return E_INVAL; // iretq to a non-canonical rip would fault in ring 0
  let space = space_fork(parent.space);
  if (space == null) return E_NOMEM;
  let np = new_process();
  if (np == null) {
    space_destroy(space);
    return E_NOMEM;
  }
  let p = changetype<Process>(np);
  set_name(p, changetype<u64>(parent) + offsetof<Process>("name"), parent.name_len);
  quota_inherit_pages(p.quota, parent.quota); // the same mappings (and stack slots)
  p.space = space;
  p.pid = next_pid++;
  p.detached = true;
  p.mmap_next = parent.mmap_next;
  p.stack_next = parent.stack_next; // the parent's other stacks are in the copy, unused: fresh slots go below
  p.port = ipc_create_port(p.pid);
  // The child's own port needs a slot of its table (which holds the parent's send rights):
  // without one it could never be destroyed with the child (teardown finds ports by their slot).
  let own = p.port != 0 && caps_init(p, parent);
  let dst = changetype<u64>(p) + offsetof<Process>("fork_regs");
  memcpy(dst, regs, 128);
  store<u64>(dst, (load<u64>(dst, 112) & FORK_RFLAGS_KEEP) | RFLAGS_IF_RESERVED, 112);
  let c = own ? thread_new(fork_child_main, 0, t.priority, proc_name(p)) : null;
  if (c == null) {
    if (p.port != 0) ipc_destroy_port(p.port);
    space_destroy(space);
    proc_free(p);
    return E_NOMEM;
  }
  for (let fd: u64 = 0; fd < MAX_FILES; fd++) {
    let f = parent.files[i32(fd)];
    if (f == 0) continue;
    let g = kmalloc(sizeof<OpenFile>());
    if (g == 0) continue; // that descriptor is closed in the child
    memcpy(g, f, sizeof<OpenFile>());
    fs_opened(open_file(g).node);
    p.files[i32(fd)] = g;
  }
  user_thread_setup(c, p);
  c.user_stack = t.user_stack; // the same stack slot, copied: released when the child's thread ends
  p.threads = 1;
  live_processes++;
  thread_start(c);
  return i64(p.pid);
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
  // The guard page gets a VMA so that touching it is reported as what it is (if there is no
  // memory for the record, the page is still unmapped and still faults, as "no mapping").
  vma_add(p.space, p.stack_next, p.stack_next + PAGE_SIZE, 0, VMA_GUARD);
  return top;
}

/**
 * Unmaps the stack below top (freeing its frames; pages never mapped are skipped) and puts the
 * slot on the free list. If the list node cannot be allocated the slot's addresses stay unused.
 */
function stack_release(p: Process, top: u64): void {
  for (let va = top - USER_STACK_SIZE; va < top; va += PAGE_SIZE) user_unmap_page(p.space, va);
  quota_credit_pages(p.quota, STACK_PAGES, false);
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
  if (p.threads >= PROC_MAX_THREADS) return null; // the limit: E_NOMEM, as for no memory
  if (!quota_charge_pages(p.quota, STACK_PAGES, false)) return null; // stack_release gives them back
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
  user_thread_setup(t, p);
  t.user_entry = entry;
  t.user_stack = top;
  t.user_arg = arg;
  p.threads++;
  return t;
}

/** Frees an address space with its VMAs. */
function space_destroy(space: AddressSpace): void {
  vma_free_all(space);
  vmm_destroy_address_space(space);
}

let process_cache: u64 = 0; // the object cache of Process records (destroy() frees into it, by address)

/** Makes the process record cache (before the first process). */
export function proc_init(): void {
  process_cache = slab_cache_create("process", sizeof<Process>());
}

/** A zeroed Process (every field starts at zero), or null. */
/** A zeroed Process record with its quota and capability table; null (nothing kept) when out of memory. */
function new_process(): Process | null {
  let a = slab_zalloc(process_cache);
  if (a == 0) return null;
  let p = changetype<Process>(a);
  let q = quota_new();
  let caps = cap_table_new();
  if (q == null || caps == null) {
    if (q != null) quota_release(q);
    if (caps != null) cap_table_free(caps);
    destroy(p);
    return null;
  }
  p.quota = q;
  p.caps = caps;
  return p;
}

/**
 * A new process's first capabilities: the kernel service (send) and its own port p.port (send and
 * receive) as OWN_PORT. A forked child instead gets the parent's send rights and shared-memory
 * map rights in the same slots (cap_inherit: OWN_PORT then names the parent's port, send only:
 * receive rights stay with the owner, and a child reaches its parent there), and its own port in
 * a free slot, reached by no handle it knows yet (it still goes when the child ends). False when
 * the parent's rights leave no free slot for it: the fork fails (E_NOMEM) rather than leave a port
 * no slot names, which teardown would never destroy.
 */
function caps_init(p: Process, parent: Process | null): bool {
  let caps = p.caps!;
  p.ports = 1;
  if (parent == null) {
    cap_set(caps, SERVICE_PORT, ipc_port_ref(service_port_id()), CAP_SEND);
    cap_set(caps, OWN_PORT, ipc_port_ref(p.port), CAP_SEND | CAP_RECEIVE);
    return true;
  }
  cap_inherit(parent.caps!, caps);
  return cap_install(caps, ipc_port_ref(p.port), CAP_SEND | CAP_RECEIVE, ipc_ref_valid) != 0;
}

/** What every user thread of p has: its process, reply holder, capability table, FPU state. */
function user_thread_setup(t: Thread, p: Process): void {
  t.proc = changetype<u64>(p);
  t.caps = changetype<u64>(p.caps);
  fpu_state_init(t.kernel_stack_top); // the FPU area above the stack (thread_new); a forked child starts with the initial state
  t.cr3 = p.space.pml4;
}

/** Closes every file the process left open. */
function close_all(p: Process): void {
  for (let fd: u64 = 0; fd < MAX_FILES; fd++) {
    if (p.files[i32(fd)] != 0) {
      fs_closed(open_file(p.files[i32(fd)]).node);
      kfree(p.files[i32(fd)]);
    }
    p.files[i32(fd)] = 0;
  }
}

/**
 * Starts the program at `path` in the file system (e.g. "/bin/demo"), named after the path's last
 * component; null if there is no such file or it is not a valid program.
 */
export function proc_spawn_path(path: string, priority: u8, detached: bool): Process | null {
  return spawn_path(changetype<u64>(path), u64(path.length), priority, detached);
}

/** SYS_SPAWN: the program at the path [path, path+len), detached; its pid, or 0 (also at MAX_PROCESSES). */
export function proc_spawn_path_bytes(path: u64, len: u64, priority: u8): u64 {
  if (live_processes >= MAX_PROCESSES) return 0;
  let p = spawn_path(path, len, priority, true);
  return p == null ? 0 : p.pid;
}

function spawn_path(path: u64, len: u64, priority: u8, detached: bool): Process | null {
  let n = fs_lookup(path, len);
  if (n == 0 || fs_is_dir(n)) return null;
  let base = len;
  while (base > 0 && load<u8>(path + base - 1) != 47) base--;
  let image = fs_contiguous(n);
  if (image != 0) return spawn(path + base, len - base, image, image + fs_size(n), priority, detached);
  // A file written since boot is in pages: load it from a contiguous copy.
  let size = fs_size(n);
  let copy = kmalloc(size);
  if (copy == 0) return null;
  for (let off: u64 = 0; off < size; off += 4096) {
    let src = fs_span(n, off, size - off, false, addr_of(span_tmp));
    let k = load<u64>(addr_of(span_tmp));
    if (src == 0) memset(copy + off, 0, k);
    else memcpy(copy + off, src, k);
  }
  let p = spawn(path + base, len - base, copy, copy + size, priority, detached);
  kfree(copy);
  return p;
}

let span_tmp: u64 = 0;

/** Loads and starts a program; null if the image is bad or memory ran out. */
export function proc_spawn(name: string, image: u64, image_end: u64, priority: u8, detached: bool): Process | null {
  return spawn(changetype<u64>(name), u64(name.length), image, image_end, priority, detached);
}

function spawn(name: u64, name_len: u64, image: u64, image_end: u64, priority: u8, detached: bool): Process | null {
  let space = vmm_create_address_space();
  if (space == null) return null;
  let entry = elf_load(space, image, image_end - image);
  if (entry == 0) {
    log_error(`exec: not a valid x86-64 executable, or out of memory`);
    space_destroy(space);
    return null;
  }
  let np = new_process();
  if (np == null) {
    space_destroy(space);
    return null;
  }
  let p = changetype<Process>(np);
  set_name(p, name, name_len);
  p.space = space;
  p.pid = next_pid++;
  p.detached = detached;
  p.mmap_next = MMAP_BASE;
  p.stack_next = USER_STACK_TOP;
  p.port = ipc_create_port(p.pid);
  caps_init(p, null);
  let t = proc_new_thread(p, entry, OWN_PORT, priority);
  if (t != null) t.affinity = AFFINITY_ALL; // a new process may run anywhere, whoever spawned it
  if (t == null || p.port == 0) {
    log_error(`exec ${proc_name(p)}: out of memory`);
    if (p.port != 0) ipc_destroy_port(p.port);
    space_destroy(space);
    free_stack_list(p);
    proc_free(p);
    return null;
  }
  live_processes++;
  log_info(`Process started: pid=${p.pid}, name=${proc_name(p)}, entry=${hex(entry)}, port=${p.port}`);
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
  cap_for_each(p.caps!, CAP_RECEIVE, destroy_owned_port, 0); // its own port and those it created
  cap_table_free(p.caps!);
  p.caps = null;
  mmu_switch(vmm_kernel_space().pml4);
  space_destroy(p.space);
  free_stack_list(p);
  close_all(p);
  live_processes--;
  log_info(`Process exited: pid=${p.pid}, name=${proc_name(p)}, status=${p.exit_code}`);
  p.exited = true;
  if (p.detached) proc_free(p);
}

/** Frees the Process record; its quota stays while buffers its sends made are still queued. */
function proc_free(p: Process): void {
  quota_release(p.quota);
  if (p.caps != null) cap_table_free(p.caps!); // still there if the process never ran
  destroy(p);
}

function destroy_owned_port(ref: u64, arg: u64): void {
  let id = ipc_ref_id(ref);
  if (id != 0) ipc_destroy_port_locked(id);
}

/** SYS_PORT_CREATE: a new port owned by p, its handle with both rights; E_NOMEM at the limit. */
export function proc_port_create(p: Process): i64 {
  let flags = irq_save();
  let h: u64 = 0;
  let id = p.ports < PROC_MAX_PORTS ? ipc_create_port(p.pid) : 0;
  if (id != 0) {
    h = cap_install(p.caps!, ipc_port_ref(id), CAP_SEND | CAP_RECEIVE, ipc_ref_valid);
    if (h == 0) ipc_destroy_port_locked(id); // no free slot
    else p.ports++;
  }
  irq_restore(flags);
  return h != 0 ? i64(h) : E_NOMEM;
}

/**
 * SYS_CAP_DROP: empties slot h; dropping the receive right (the owner's) destroys the port, and
 * every right to it names nothing from then on.
 */
export function proc_cap_drop(p: Process, h: u64): bool {
  let flags = irq_save();
  let id = ipc_ref_id(cap_lookup(p.caps!, h, CAP_RECEIVE));
  let ok = cap_drop(p.caps!, h);
  if (id != 0) {
    ipc_destroy_port_locked(id);
    p.ports--;
  }
  irq_restore(flags);
  return ok;
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

/**
 * A page fault in ring 3 at addr (a write, or an instruction fetch): true when demand paging
 * resolved it (mm/vma.ts); else the reason is kept for proc_user_fault's report.
 */
export function proc_page_fault(addr: u64, write: bool, exec: bool): bool {
  let t = thread_current();
  let why = vm_fault(proc_of(t).space, addr, write, exec);
  t.fault_why = why;
  return why == VM_OK;
}

/** A CPU exception in ring 3: report it, kill the process; the kernel goes on. */
export function proc_user_fault(f: InterruptFrame, addr: u64): void {
  let t = thread_current();
  let p = proc_of(t);
  if (t.fault_why != VM_OK) log_error(`user fault: pid ${p.pid} (${proc_name(p)}): page fault at ${hex(addr)}: ${vm_fault_reason(t.fault_why)}`);
  t.fault_why = VM_OK;
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
  proc_free(p);
  return code;
}

export function proc_live(): u64 {
  return live_processes;
}
