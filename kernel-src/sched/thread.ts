// The thread control block (the seed's struct thread) and wait queues.
//
// A thread's saved CPU context is its kernel stack: context_switch pushes the callee-saved
// registers there and keeps the stack pointer in `sp`. The name is stored in the TCB (at most 31
// bytes, NUL-terminated) right after a u64 length, which makes its address a valid `string`
// value (the language keeps a string's byte length at address - 8).
// Links (`next`, `sleep_next`, `all_next`, wait queues) hold Thread addresses, 0 for none.

import { IpcMessage } from "../abi/ipc";

export const THREAD_READY: u32 = 0;
export const THREAD_RUNNING: u32 = 1;
export const THREAD_BLOCKED: u32 = 2;
export const THREAD_DEAD: u32 = 3;

export const PRIORITY_IDLE: u8 = 0;
export const PRIORITY_LOW: u8 = 16;
export const PRIORITY_NORMAL: u8 = 64;
export const PRIORITY_HIGH: u8 = 96;
export const PRIORITY_REALTIME: u8 = 127;
export const NUM_PRIORITIES: u64 = 128;
export const THREAD_NAME_MAX: u64 = 31;
export const KERNEL_STACK_SIZE: u64 = 65536;

export class Thread {
  tid: u64 = 0;
  name_len: u64 = 0;
  name!: InlineArray<u8, 32>;
  state: u32 = 0;
  priority: u8 = 0;
  killed: bool = false;
  sp: u64 = 0; // saved stack pointer: the context
  kernel_stack: u64 = 0; // base of the 64 KiB kernel stack (0 for the boot/idle thread)
  kernel_stack_top: u64 = 0;
  cpu_time: u64 = 0; // timer interrupts that found it running (ticks)
  slice: u64 = 0; // ticks left in the current time slice
  cr3: u64 = 0; // page-table root to run with
  next: u64 = 0; // run queue or wait queue link
  waitq: u64 = 0; // WaitQueue blocked on, or 0
  sleep_next: u64 = 0;
  wake_at: u64 = 0; // clock_now_ns deadline, nonzero while sleeping
  all_next: u64 = 0;
  proc: u64 = 0; // owning Process for user threads, else 0
  user_entry: u64 = 0;
  user_stack: u64 = 0;
  user_arg: u64 = 0;
  wait_result: i64 = 0; // status handed over by whoever woke us
  reply_msg_id: u64 = 0; // nonzero while waiting for ipc_reply
  call_port: u64 = 0; // port the pending call went to
  // The caller (Thread address) of the last call handed to this thread while it waited: the O(1)
  // reply target, checked against the request's msg_id before use. thread_exit clears every
  // reply_to naming the exiting thread, so it is 0 or a live thread.
  reply_to: u64 = 0;
  // Where a waiting thread takes an inline-only message directly: set by the waiter before it
  // blocks in a receive or a call (its out message, or ipc_user for a system call). An IPC fast
  // path writes the message there and sets ipc_dst = 0, which tells the waiter it is in place;
  // the general path stages into ipc_msg instead and leaves ipc_dst alone.
  ipc_dst: u64 = 0;
  checked_page: u64 = 0; // user page last found present, user, writable (mm/usercopy.ts)
  check_gen: u64 = 0; // the user-unmap generation of that check
  checked_kva: u64 = 0; // where checked_page's frame is in the direct map
  // Nonzero when ipc_dst is a user page reached through the direct map (a system call's fast
  // call): the user-unmap generation it was checked at. A reply may be written there only while
  // the generation is unchanged (ipc/port.ts reply_target); otherwise it is staged as usual.
  ipc_gen: u64 = 0;
  ipc_msg!: Inline<IpcMessage>; // kernel-side message a receive or a reply is delivered into
  ipc_user!: Inline<IpcMessage>; // kernel copy of a user's message during an IPC system call
  // The kernel copy of ipc_user's buffer, taken by the system call with interrupts on before it
  // sends (syscall.ts buffer_in); the IPC layer takes it over instead of copying (port.ts). On
  // the way back a received buffer is left here by port.ts finish for the system call to copy
  // out with interrupts on (syscall.ts message_out), then free.
  ipc_kbuf: u64 = 0;
  // A call that found no receiver waits on its port's callers queue with its request (an
  // IpcMessage address that stays valid while it is blocked) here and the kernel copy of its
  // buffer in ipc_kbuf; a receiver takes both (ipc/port.ts take_caller). (A user thread's x87/SSE
  // area is the FPU_AREA_SIZE bytes at kernel_stack_top: arch/x86_64/fpu.ts.)
  call_req: u64 = 0;
  // The one-shot reply right of our pending call: who received it (ipc/port.ts reply_holder_of: the
  // receiving process, or the kernel thread). Only that holder can answer it. 0 while the call
  // waits to be received; it means something only while reply_msg_id is nonzero (every end of a
  // call clears reply_msg_id, which makes the right void: one-shot), so it is never cleared.
  reply_holder: u64 = 0;
  caps: u64 = 0; // the CapTable of a user thread's process (ipc/cap.ts), for the system calls' fast path
  fault_why: i32 = 0; // why the last user page fault was not resolved (mm/vma.ts VM_*), for the report
  // Priority inheritance (sched/mutex.ts): the priority the thread was given (`priority` is the
  // effective one, raised while it holds a mutex a higher-priority thread waits for), the Mutex
  // it waits for (0 if none) and the mutexes it holds (linked through Mutex.next_held).
  base_priority: u8 = 0;
  blocked_on: u64 = 0;
  held_mutexes: u64 = 0;
  futex_addr: u64 = 0; // user address it sleeps on in SYS_FUTEX_WAIT (sync/futex.ts), 0 if none
  ipc_uptr: u64 = 0; // the user message of an IPC system call's fast path, kept across its wait (syscall.ts)
  // The CPU (Cpu record) whose run queue holds it while READY, and that runs it or ran it last;
  // a user thread's x87/SSE state can be live only in that CPU's registers (scheduler.ts).
  cpu: u64 = 0;
  // cpu + priority * 8: its level's head is at rq_slot + CPU_RQ_HEAD (percpu.ts), its tail at
  // rq_slot + CPU_RQ_TAIL. Kept by whatever sets cpu or priority, for the yield fast path.
  rq_slot: u64 = 0;
  // The CPUs (bit per id) it may run on: inherited from its creator (a new process's first thread
  // gets AFFINITY_ALL); honoured by every placement and move (scheduler.ts).
  affinity: u64 = 0;
}

export const AFFINITY_ALL: u64 = 0xffffffffffffffff;
/** Priorities from here up are real-time: FIFO within a level, no time slices (scheduler.ts). */
export const PRIORITY_RT_MIN: u8 = 100;

export class WaitQueue {
  head: u64 = 0;
  tail: u64 = 0;
}

export function thr(addr: u64): Thread {
  return changetype<Thread>(addr);
}

export function thread_addr(t: Thread): u64 {
  return changetype<u64>(t);
}

export function thread_name(t: Thread): string {
  return changetype<string>(changetype<u64>(t) + offsetof<Thread>("name"));
}

export function thread_set_name(t: Thread, name: string): void {
  let n = u64(name.length);
  if (n > THREAD_NAME_MAX) n = THREAD_NAME_MAX;
  let dst = changetype<u64>(t) + offsetof<Thread>("name");
  memcpy(dst, changetype<usize>(name), n);
  store<u8>(dst + n, 0);
  t.name_len = n;
}
