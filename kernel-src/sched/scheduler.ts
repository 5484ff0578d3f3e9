// The scheduler: 128 priority levels, a bitmap of non-empty levels for O(1) choice, round robin
// within a level, time slices driven by the timer, sleeping by clock, blocking on wait queues.
//
// Invariants (every function here runs with interrupts off, so under the kernel lock with several
// CPUs: docs/locking.md):
// - Each CPU has its own run queues (in its Cpu record) and runs only threads from them.
//   c.current is the thread running on CPU c; it is on no run queue. A READY thread t is on
//   exactly the run queue of its priority on CPU t.cpu, and bit p of a CPU's bitmap is set iff
//   its queue p is non-empty.
// - Each CPU's idle thread (the boot context on CPU 0, tid 0) is never queued: schedule() falls
//   back to it. An idle CPU halts; whoever makes a thread ready on it sends it a reschedule IPI.
// - A thread moves to another CPU only while it is not running (wakeup onto an idle CPU,
//   load balancing by an idle CPU, an IPC handoff) and only if its user x87/SSE state is not live
//   in its old CPU's registers (can_move): that state is saved lazily (switch_to), so it can be
//   live only on t.cpu.
// - Hot paths (thread_yield's rotation of one level, switch_to in arch/x86_64/switch.S) are kept
//   straight-line; rare work (reaping a zombie, the general pick) is out of their way.
// - A BLOCKED thread is on at most one wait queue (t.waitq) and/or the sleep list (sorted by
//   wake_at, a clock_now_ns deadline); whoever wakes it removes it from both. The clock's alarm
//   is set to the first sleeper's deadline whenever that head changes to an earlier one; a
//   stale, earlier alarm only costs one extra interrupt (sched_alarm re-arms for the new head).
// - A thread that exits is left in its CPU's `zombie`; the next thread to run frees its stack and TCB
//   (a thread cannot free the stack it is running on).
// - The strict priority rule: a ready thread of higher priority preempts at the next interrupt
//   exit; equal priorities share the CPU by SLICE_TICKS time slices. Real-time priorities
//   (PRIORITY_RT_MIN and up) have no slices and are FIFO: a preempted one stays first in its level.

import { fifo_push, fifo_remove } from "../lib/list";
import {
  Thread, WaitQueue, thr, thread_addr, thread_name, thread_set_name, THREAD_READY, THREAD_RUNNING,
  THREAD_BLOCKED, THREAD_DEAD, NUM_PRIORITIES, KERNEL_STACK_SIZE, PRIORITY_IDLE, AFFINITY_ALL,
  PRIORITY_RT_MIN,
} from "./thread";
import {
  irq_save, irq_restore, irq_enable, irq_disable, irq_enable_and_halt, bit_highest, bit_lowest, mmu_switch, context_init, switch_to,
  switch_to_exit, smp_reschedule,
  FPU_AREA_SIZE, fpu_scratch_area, fpu_save,
} from "../arch/hal";
import { kmalloc, kfree } from "../mm/kmalloc";
import { slab_cache_create, slab_zalloc } from "../mm/slab";
import { kstack_init, kstack_alloc, kstack_free, KSTACK_SIZE } from "../mm/kstack";

let thread_cache: u64 = 0; // the object cache of Thread records (destroy() frees into it, by address)
import { vmm_kernel_space } from "../mm/vmm";
import { log_info } from "../lib/log";
import { panic } from "../lib/panic";
import {
  Cpu, this_cpu, cpu_register, cpu_count, cpu_by_id, CPU_RQ_HEAD, CPU_RQ_TAIL, CPU_RQ_BITS,
} from "./percpu";
import { clock_now_ns, clock_set_alarm, clock_set_tick_handler, clock_set_alarm_handler, NS_PER_MS } from "../time/clock";
import { proc_thread_exit } from "../proc/process";
import { E_KILLED } from "../abi/errors";

export type ThreadEntry = (arg: u64) => void;

const SLICE_TICKS: u64 = 2;
/** The longest sleep (about 146 years): deadlines never overflow. */
const MAX_SLEEP_NS: u64 = 0x4000000000000000;
/** Where arch/x86_64/syscall.S finds Thread.killed on its fast way out. */
const THREAD_KILLED_OFFSET: u64 = 53;

/** Ticks a CPU stays idle before it takes ready threads from a busy CPU (load balancing). */
const BALANCE_TICKS: u64 = 2;

let all_head: u64 = 0;
let sleep_head: u64 = 0;
let next_tid: u64 = 1;
let live_threads: u64 = 0;
let verbose: bool = true;

// ---- run queues (per CPU) ----
function cpu_of(t: Thread): Cpu {
  return changetype<Cpu>(t.cpu);
}

function rq_push(a: u64): void {
  let t = thr(a);
  let c = cpu_of(t);
  let p = i32(t.priority);
  t.rq_slot = t.cpu + u64(p) * 8;
  t.next = 0;
  t.state = THREAD_READY;
  if (c.rq_tail[p] != 0) thr(c.rq_tail[p]).next = a;
  else c.rq_head[p] = a;
  c.rq_tail[p] = a;
  c.rq_bits[p >> 6] |= u64(1) << u64(p & 63);
}

/**
 * Queues the thread that was running and is preempted: behind the threads of its level, or, for
 * real time (FIFO), in front of them: a higher priority that preempts it does not cost it its
 * place.
 */
function rq_push_preempted(a: u64): void {
  let t = thr(a);
  if (t.priority < PRIORITY_RT_MIN) {
    rq_push(a);
    return;
  }
  let c = cpu_of(t);
  let p = i32(t.priority);
  t.rq_slot = t.cpu + u64(p) * 8;
  t.state = THREAD_READY;
  t.next = c.rq_head[p];
  if (c.rq_head[p] == 0) c.rq_tail[p] = a;
  c.rq_head[p] = a;
  c.rq_bits[p >> 6] |= u64(1) << u64(p & 63);
}

/** Highest priority with a ready thread on c, or -1. */
function rq_top(c: Cpu): i32 {
  if (c.rq_bits[1] != 0) return 64 + bit_highest(c.rq_bits[1]);
  if (c.rq_bits[0] != 0) return bit_highest(c.rq_bits[0]);
  return -1;
}

function rq_pop(c: Cpu, p: i32): u64 {
  let a = c.rq_head[p];
  c.rq_head[p] = thr(a).next;
  if (c.rq_head[p] == 0) {
    c.rq_tail[p] = 0;
    c.rq_bits[p >> 6] &= ~(u64(1) << u64(p & 63));
  }
  thr(a).next = 0;
  return a;
}

function rq_remove(a: u64): void {
  let c = cpu_of(thr(a));
  let p = i32(thr(a).priority);
  let prev: u64 = 0;
  let x = c.rq_head[p];
  while (x != 0 && x != a) {
    prev = x;
    x = thr(x).next;
  }
  if (x == 0) return;
  if (prev == 0) c.rq_head[p] = thr(a).next;
  else thr(prev).next = thr(a).next;
  if (c.rq_tail[p] == a) c.rq_tail[p] = prev;
  if (c.rq_head[p] == 0) c.rq_bits[p >> 6] &= ~(u64(1) << u64(p & 63));
  thr(a).next = 0;
}

// ---- several CPUs ----
/** c runs its idle thread and has nothing queued. */
function cpu_idle(c: Cpu): bool {
  return c.current == c.idle && rq_top(c) < 0;
}

/**
 * Whether t (not running) may move to CPU d: d must be in its affinity, and its x87/SSE registers
 * must not be live on its current CPU (they are saved only when another user thread runs there,
 * or that CPU goes idle).
 */
function can_move(t: Thread, d: Cpu): bool {
  return (t.affinity & (u64(1) << d.id)) != 0 && cpu_of(t).fpu_area != t.kernel_stack_top;
}

/**
 * A thread about to be queued (woken or new) whose own CPU would not run it now goes to an idle
 * CPU instead, if there is one it may move to. Several CPUs only.
 */
function spread(t: Thread): void {
  let home = cpu_of(t);
  if (cpu_idle(home) || (t.priority > thr(home.current).priority && rq_top(home) < i32(t.priority))) return;
  let n = cpu_count();
  for (let i: u64 = 0; i < n; i++) {
    let d = cpu_by_id(i);
    if (d != home && cpu_idle(d) && can_move(t, d)) {
      t.cpu = changetype<u64>(d);
      return;
    }
  }
}

/**
 * Queues a (woken or new) thread on its CPU, or an idle one (spread), and makes that CPU
 * reschedule if the thread should preempt what runs there: this CPU at its next preemption point
 * when `local` (a wakeup; not for a new thread), another one at once by a reschedule IPI.
 * With one CPU it is the queue push and the preemption test alone. @inline
 */
function make_ready(a: u64, local: bool): void {
  if (cpu_count() > 1) {
    make_ready_smp(a, local);
    return;
  }
  rq_push(a);
  let c = this_cpu();
  if (local && thr(a).priority > thr(c.current).priority) c.need_resched = 1;
}

/** make_ready with several CPUs. @noinline */
function make_ready_smp(a: u64, local: bool): void {
  let t = thr(a);
  spread(t);
  rq_push(a);
  let c = this_cpu();
  let d = cpu_of(t);
  if (d == c) {
    if (local && t.priority > thr(c.current).priority) c.need_resched = 1;
  } else if (t.priority > thr(d.current).priority || d.current == d.idle) {
    d.need_resched = 1;
    smp_reschedule(d.id);
  }
}

/**
 * An idle CPU's load balancing (after BALANCE_TICKS idle ticks): takes the highest-priority
 * ready thread queued on another CPU that it may move, onto its own queue. True if it took one.
 */
function balance(c: Cpu): bool {
  let n = cpu_count();
  let best: u64 = 0;
  for (let i: u64 = 0; i < n; i++) {
    let d = cpu_by_id(i);
    if (d == c) continue;
    for (let p = rq_top(d); p >= 0; p--) {
      if (best != 0 && p <= i32(thr(best).priority)) break;
      let x = d.rq_head[p];
      while (x != 0 && !can_move(thr(x), c)) x = thr(x).next;
      if (x != 0) {
        best = x;
        break;
      }
    }
  }
  if (best == 0) return false;
  rq_remove(best);
  thr(best).cpu = changetype<u64>(c);
  rq_push(best);
  return true;
}

/** A CPU about to halt: saves the user x87/SSE state its registers hold, so its threads may move. */
function idle_release_fpu(c: Cpu): void {
  let area = c.fpu_area;
  if (area == fpu_scratch_area()) return;
  fpu_save(area);
  c.fpu_area = fpu_scratch_area();
}

// ---- switching ----
/**
 * Frees the thread that exited on this CPU (c.zombie), unless it is still the one running: called
 * on the next thread's stack by switch_to_exit (arch/x86_64/switch.S), and by thread_trampoline.
 */
export function sched_reap(): void {
  let c = this_cpu();
  let z = c.zombie;
  if (z == 0 || z == c.current) return;
  c.zombie = 0;
  kstack_free(thr(z).kernel_stack);
  destroy(thr(z));
}

// switch_to(c, next) (arch/hal.ts, in arch/x86_64/switch.S) runs `next` on CPU c: see context.ts.

/** The Thread offsets switch_to uses (scheduler_init checks them). */
const THREAD_STATE_OFFSET: u64 = 48;
const THREAD_SP_OFFSET: u64 = 56;
const THREAD_STACK_TOP_OFFSET: u64 = 72;
const THREAD_SLICE_OFFSET: u64 = 88;
const THREAD_CR3_OFFSET: u64 = 96;
const THREAD_PROC_OFFSET: u64 = 144;

/** The best ready thread, taken off c's run queue, or c's idle thread when none is ready. @inline */
function pick_next(c: Cpu): u64 {
  let p = rq_top(c);
  return p >= 0 ? rq_pop(c, p) : c.idle;
}

/** Runs the best ready thread (or idle). The caller has queued or blocked the current one already. */
function schedule(): void {
  let c = this_cpu();
  let next = pick_next(c);
  if (next == c.current) {
    thr(next).state = THREAD_RUNNING;
    return;
  }
  switch_to(c, next);
}

/** First thing a new thread runs (from thread_trampoline in arch/x86_64/switch.S). */
export function sched_thread_start(): void {
  sched_reap();
  irq_enable();
}

// ---- public API ----
export function scheduler_init(): void {
  if (KSTACK_SIZE != KERNEL_STACK_SIZE) panic(`mm/kstack.ts KSTACK_SIZE differs from KERNEL_STACK_SIZE`);
  kstack_init();
  log_info(`Initializing scheduler...`);
  if (offsetof<Thread>("killed") != THREAD_KILLED_OFFSET) panic(`Thread.killed moved: update arch/x86_64/syscall.S`);
  if (offsetof<Thread>("state") != THREAD_STATE_OFFSET || offsetof<Thread>("sp") != THREAD_SP_OFFSET ||
    offsetof<Thread>("kernel_stack_top") != THREAD_STACK_TOP_OFFSET || offsetof<Thread>("slice") != THREAD_SLICE_OFFSET ||
    offsetof<Thread>("cr3") != THREAD_CR3_OFFSET || offsetof<Thread>("proc") != THREAD_PROC_OFFSET ||
    THREAD_RUNNING != 1 || SLICE_TICKS != 2) {
    panic(`Thread fields moved: update switch_to in arch/x86_64/switch.S (proc at ${offsetof<Thread>("proc")})`);
  }
  thread_cache = slab_cache_create("thread", sizeof<Thread>());
  let c = this_cpu();
  make_idle(c);
  cpu_register(c);
  all_head = c.idle;
  live_threads = 1;
  clock_set_tick_handler(sched_tick);
  clock_set_alarm_handler(sched_alarm);
  log_info(`Scheduler initialized`);
}

/** The calling CPU's boot context becomes its idle thread (tid 0, never queued). */
function make_idle(c: Cpu): void {
  let t = changetype<Thread>(slab_zalloc(thread_cache));
  if (changetype<u64>(t) == 0) panic(`scheduler: no memory for the idle thread`);
  thread_set_name(t, "idle");
  t.tid = 0;
  t.priority = PRIORITY_IDLE;
  t.state = THREAD_RUNNING;
  t.cr3 = vmm_kernel_space().pml4;
  t.cpu = changetype<u64>(c);
  t.affinity = AFFINITY_ALL;
  c.idle = thread_addr(t);
  c.current = c.idle;
}

/**
 * The idle thread of an application processor's record c, made by the boot CPU before the AP
 * starts (so that the AP allocates nothing). It is in no thread list: only its CPU names it.
 */
export function sched_ap_init(c: Cpu): void {
  make_idle(c);
}

/**
 * An application processor's idle loop (from ap_entry, interrupts off, holding the kernel lock).
 * The boot CPU registered it (cpu_register) once it had started: threads may be queued on it from
 * then on, and it finds them here.
 */
export function sched_ap_idle(c: Cpu): void {
  idle_loop();
}

export function sched_set_verbose(on: bool): void {
  verbose = on;
}

/**
 * A new thread, not yet runnable (thread_start makes it so): entry(arg) runs on a fresh 64 KiB
 * kernel stack; returning from entry exits the thread. Null when out of memory.
 */
export function thread_new(entry: ThreadEntry, arg: u64, priority: u8, name: string): Thread | null {
  let stack = kstack_alloc(); // with a guard page below it
  if (stack == 0) return null;
  let t = changetype<Thread>(slab_zalloc(thread_cache)); // every field of Thread starts at zero
  if (changetype<u64>(t) == 0) {
    kstack_free(stack);
    return null;
  }
  thread_set_name(t, name);
  t.priority = priority < u8(NUM_PRIORITIES) ? priority : u8(NUM_PRIORITIES - 1);
  t.base_priority = t.priority;
  t.kernel_stack = stack;
  t.kernel_stack_top = stack + KERNEL_STACK_SIZE - FPU_AREA_SIZE; // above: a user thread's FPU area
  t.cr3 = vmm_kernel_space().pml4;
  t.sp = context_init(t.kernel_stack_top, changetype<u64>(entry), arg);
  t.state = THREAD_BLOCKED;
  let flags = irq_save();
  t.cpu = changetype<u64>(this_cpu()); // the creator's CPU, until it runs somewhere
  t.affinity = thr(this_cpu().current).affinity;
  t.tid = next_tid++;
  t.all_next = all_head;
  all_head = thread_addr(t);
  live_threads++;
  irq_restore(flags);
  return t;
}

export function thread_start(t: Thread): void {
  let flags = irq_save();
  if (verbose) log_info(`Thread created: tid=${t.tid}, name=${thread_name(t)}, priority=${t.priority}`);
  make_ready(thread_addr(t), false);
  irq_restore(flags);
}

/** Creates and starts a kernel thread; returns its tid, or 0 when out of memory. */
export function thread_create(entry: ThreadEntry, arg: u64, priority: u8, name: string): u64 {
  let t = thread_new(entry, arg, priority, name);
  if (t == null) return 0;
  thread_start(t);
  return t.tid;
}

export function thread_current(): Thread {
  return thr(this_cpu().current);
}

/**
 * IPC's switch from a thread that has just blocked to the thread it woke (`next`, off every
 * queue, its wake-up status set). The handoff rule: `next` runs at once, skipping the run queue,
 * only when no ready thread has its priority or a higher one, i.e. when schedule() would pick it
 * anyway and it overtakes nobody, and when it may run on this CPU (can_move; it moves here). Otherwise it joins the tail of its run queue like any woken
 * thread and schedule() decides: a higher-priority ready thread runs first, and one at the same
 * level keeps its round-robin turn. @inline
 */
export function sched_handoff(c: Cpu, next: u64): void {
  let t = thr(next);
  let p = u64(t.priority);
  let cb = changetype<u64>(c);
  let ready = p >= 64 ? load<u64>(cb, CPU_RQ_BITS + 8) >> p // shift counts are taken modulo 64
    : load<u64>(cb, CPU_RQ_BITS + 8) | (load<u64>(cb, CPU_RQ_BITS) >> p);
  if (ready == 0 && cb == t.cpu) { // nothing ready at p or above, and next last ran here
    switch_to(c, next);
    return;
  }
  handoff_general(c, next, ready);
}

/** sched_handoff when others are ready or `next` last ran on another CPU: it moves here if it may. @noinline */
function handoff_general(c: Cpu, next: u64, ready: u64): void {
  let t = thr(next);
  if (ready == 0 && can_move(t, c)) {
    t.cpu = changetype<u64>(c);
    t.rq_slot = t.cpu + u64(t.priority) * 8;
    switch_to(c, next);
    return;
  }
  make_ready(next, true);
  schedule();
}

/**
 * thread_yield with interrupts off on CPU c (thread_yield in arch/x86_64/switch.S and SYS_YIELD,
 * syscall.ts, whose system call runs with interrupts off; a user thread is never the idle one,
 * hence maybe_idle = false there). The fast path: another thread waits at
 * our level and none above (bit p is set, so the bitmap words shifted down to p must be exactly 1,
 * and bit p set means queue p is not empty). Rotate the level (its bitmap bit stays set) and hand
 * the CPU over. The switch is the last call, so nothing is live across a call (no callee-saved
 * registers to save); the queue heads and tails are reached by address (p < NUM_PRIORITIES by
 * construction: thread_new clamps it), without the bounds check's stack frame.
 * @inline
 */
export function yield_now(c: Cpu, maybe_idle: bool): void {
  let a = c.current;
  let t = thr(a);
  let p = u64(t.priority);
  let cb = changetype<u64>(c);
  let bits1 = load<u64>(cb, CPU_RQ_BITS + 8);
  // (shift counts are taken modulo 64: bits1 >> p is bits1 >> (p - 64) for p >= 64)
  let above = p >= 64 ? bits1 >> p : bits1 == 0 ? load<u64>(cb, CPU_RQ_BITS) >> p : 0;
  if (above == 1 && (!maybe_idle || a != c.idle)) {
    let q = t.rq_slot; // cb + p * 8: level p's head at q + CPU_RQ_HEAD, its tail at q + CPU_RQ_TAIL
    let next = load<u64>(q, CPU_RQ_HEAD);
    t.state = THREAD_READY; // its next is 0 already: a thread on no queue has none
    thr(load<u64>(q, CPU_RQ_TAIL)).next = a;
    store<u64>(q, a, CPU_RQ_TAIL);
    store<u64>(q, thr(next).next, CPU_RQ_HEAD);
    thr(next).next = 0;
    switch_to(c, next);
    return;
  }
  if (a != c.idle) rq_push(a);
  schedule();
}

export function yield_locked(): void {
  yield_now(this_cpu(), true);
}

/** Gives the CPU to the next ready thread of the same or higher priority (arch/x86_64/switch.S). */
export declare function thread_yield(): void;

/** Ends the calling thread. Its stack and TCB are freed by the next thread to run. */
export function thread_exit(): void {
  irq_disable();
  let c = this_cpu();
  let cur = c.current;
  let t = thr(cur);
  if (cur == c.idle) panic(`the idle thread cannot exit`);
  if (verbose) log_info(`Thread exiting: tid=${t.tid}, name=${thread_name(t)}`);
  t.state = THREAD_DEAD;
  let prev: u64 = 0;
  let x = all_head;
  while (x != cur) {
    prev = x;
    x = thr(x).all_next;
  }
  if (prev == 0) all_head = t.all_next;
  else thr(prev).all_next = t.all_next;
  for (x = all_head; x != 0; x = thr(x).all_next) if (thr(x).reply_to == cur) thr(x).reply_to = 0;
  live_threads--;
  if (t.proc != 0) {
    proc_thread_exit(t); // may destroy the address space: run on the kernel's from here on
    t.cr3 = vmm_kernel_space().pml4;
    mmu_switch(t.cr3);
  }
  if (c.fpu_area == t.kernel_stack_top) c.fpu_area = fpu_scratch_area(); // its FPU area goes with its stack
  c.zombie = cur;
  switch_to_exit(c, pick_next(c)); // freed on the next thread's stack (sched_reap)
  panic(`a dead thread was scheduled`);
}

/** Blocks the caller until thread_wake; interrupts must be off. Returns the waker's status. */
export function thread_block(): i64 {
  let t = thr(this_cpu().current);
  t.state = THREAD_BLOCKED;
  schedule();
  return t.wait_result;
}

/** Makes a blocked thread ready with `result` as its wake-up status; interrupts must be off. */
export function thread_wake(a: u64, result: i64): void {
  let t = thr(a);
  if (t.state != THREAD_BLOCKED) return;
  if (t.waitq != 0) waitq_remove(changetype<WaitQueue>(t.waitq), a);
  if (t.wake_at != 0) sleep_remove(a);
  t.wait_result = result;
  make_ready(a, true);
}

/** Gives the CPU to a higher-priority thread made ready meanwhile (after a wake-up). */
export function sched_preempt_point(): void {
  let c = this_cpu();
  if (c.need_resched == 0) return;
  let flags = irq_save();
  c.need_resched = 0;
  let cur = c.current;
  if (rq_top(c) > i32(thr(cur).priority) || cur == c.idle) {
    if (cur != c.idle) rq_push_preempted(cur);
    schedule();
  }
  irq_restore(flags);
}

// ---- wait queues ----
export function waitq_add(q: WaitQueue, a: u64): void {
  let t = thr(a);
  t.waitq = changetype<u64>(q);
  fifo_push(q, t);
}

/** Queues a behind every waiter of its priority or higher (highest priority first, FIFO within one). */
export function waitq_insert_by_priority(q: WaitQueue, a: u64): void {
  let t = thr(a);
  let prev: u64 = 0;
  let x = q.head;
  while (x != 0 && thr(x).priority >= t.priority) {
    prev = x;
    x = thr(x).next;
  }
  t.next = x;
  t.waitq = changetype<u64>(q);
  if (prev == 0) q.head = a;
  else thr(prev).next = a;
  if (x == 0) q.tail = a;
}

export function waitq_remove(q: WaitQueue, a: u64): void {
  if (fifo_remove(q, thr(a))) thr(a).waitq = 0;
}

/** Blocks the caller on q (interrupts off). Returns the status given by the waker. */
export function waitq_sleep(q: WaitQueue): i64 {
  if (thr(this_cpu().current).killed) return E_KILLED; // killed while preempted in a system call
  waitq_add(q, this_cpu().current);
  return thread_block();
}

/** Wakes the first waiter of q; returns it (0 if none). */
export function waitq_wake_one(q: WaitQueue, result: i64): u64 {
  let a = q.head;
  if (a != 0) thread_wake(a, result);
  return a;
}

export function waitq_wake_all(q: WaitQueue, result: i64): void {
  while (q.head != 0) thread_wake(q.head, result);
}

// ---- sleeping ----
function sleep_insert(a: u64): void {
  let w = thr(a).wake_at;
  let prev: u64 = 0;
  let x = sleep_head;
  while (x != 0 && thr(x).wake_at <= w) {
    prev = x;
    x = thr(x).sleep_next;
  }
  thr(a).sleep_next = x;
  if (prev == 0) sleep_head = a;
  else thr(prev).sleep_next = a;
}

function sleep_remove(a: u64): void {
  let prev: u64 = 0;
  let x = sleep_head;
  while (x != 0 && x != a) {
    prev = x;
    x = thr(x).sleep_next;
  }
  if (x != 0) {
    if (prev == 0) sleep_head = thr(a).sleep_next;
    else thr(prev).sleep_next = thr(a).sleep_next;
  }
  thr(a).sleep_next = 0;
  thr(a).wake_at = 0;
}

/** Sleeps for at least `ms` milliseconds of clock time (0 just yields). */
export function thread_sleep(ms: u64): void {
  thread_sleep_ns(ms < MAX_SLEEP_NS / NS_PER_MS ? ms * NS_PER_MS : MAX_SLEEP_NS);
}

/** Sleeps for at least `ns` nanoseconds; the clock's alarm ends it, not the next tick (0 yields). */
export function thread_sleep_ns(ns: u64): void {
  if (ns == 0) {
    thread_yield();
    return;
  }
  if (ns > MAX_SLEEP_NS) ns = MAX_SLEEP_NS;
  let flags = irq_save();
  let cur = this_cpu().current;
  let t = thr(cur);
  if (t.killed) {
    irq_restore(flags); // killed while preempted in a system call: do not start a wait
    return;
  }
  t.wake_at = clock_now_ns() + ns;
  sleep_insert(cur);
  if (sleep_head == cur) clock_set_alarm(t.wake_at);
  thread_block();
  irq_restore(flags);
}

/** The clock's alarm handler (timer interrupt): wake every sleeper that is due, re-arm for the next. */
export function sched_alarm(now_ns: u64): void {
  while (sleep_head != 0 && thr(sleep_head).wake_at <= now_ns) thread_wake(sleep_head, 0);
  if (sleep_head != 0) clock_set_alarm(thr(sleep_head).wake_at);
}

// ---- timer and interrupt exits ----
/** The clock's tick handler (timer interrupt): account time, wake sleepers, decide whether to preempt. */
export function sched_tick(now: u64): void {
  let c = this_cpu();
  let t = thr(c.current);
  t.cpu_time++;
  let top = rq_top(c);
  if (c.current == c.idle) {
    if (top < 0 && cpu_count() > 1 && ++c.idle_ticks >= BALANCE_TICKS && balance(c)) top = rq_top(c);
    if (top >= 0) c.need_resched = 1;
    return;
  }
  if (t.slice > 0) t.slice--;
  if (top > i32(t.priority)) c.need_resched = 1;
  else if (t.slice == 0 && t.priority < PRIORITY_RT_MIN) { // real time: FIFO, no slices
    if (top == i32(t.priority)) c.need_resched = 1;
    else t.slice = SLICE_TICKS;
  }
}

/** End of an IRQ: switch if the tick (or a wake-up) asked for it. */
export function sched_irq_exit(): void {
  let c = this_cpu();
  if (c.need_resched == 0) return;
  c.need_resched = 0;
  if (c.current != c.idle) rq_push_preempted(c.current);
  schedule();
}

/** On every way back to ring 3: a killed thread exits here instead; a pending preemption runs. */
export function sched_return_to_user(): void {
  let c = this_cpu();
  if (thr(c.current).killed) thread_exit();
  if (c.need_resched != 0) sched_irq_exit();
}

/** Marks t killed and wakes it if blocked, so that it exits before returning to user mode. */
export function thread_kill(t: Thread): void {
  t.killed = true;
  if (t.state == THREAD_BLOCKED) {
    t.reply_msg_id = 0;
    thread_wake(thread_addr(t), E_KILLED);
  } else if (t.state == THREAD_RUNNING && t.cpu != changetype<u64>(this_cpu())) {
    smp_reschedule(cpu_of(t).id); // running elsewhere: it sees `killed` on its way back to ring 3
  }
}

/**
 * The idle loop of every CPU (its boot context): run whatever is ready, otherwise halt until an
 * interrupt. Before halting it gives up the user x87/SSE state it holds (its threads may then
 * move) and, by turning interrupts on, the kernel lock.
 */
export function idle_loop(): void {
  while (true) {
    let flags = irq_save();
    let c = this_cpu();
    if (rq_top(c) >= 0) c.idle_ticks = 0;
    schedule();
    if (cpu_count() > 1) idle_release_fpu(c);
    irq_restore(flags);
    irq_enable_and_halt();
  }
}

// ---- affinity ----
/**
 * Restricts the calling thread to the CPUs in mask (bit per id; bits of CPUs that do not run are
 * ignored). If it runs on a CPU outside the mask it moves now: its x87/SSE state is saved (it is
 * live here only), it is queued on the first CPU of the mask and this CPU runs another thread.
 * The switch away saves its stack before the kernel lock lets the other CPU pick it up.
 * False (nothing changed) when no running CPU is in mask.
 */
export function thread_set_affinity(mask: u64): bool {
  let n = cpu_count();
  let online = n >= 64 ? AFFINITY_ALL : (u64(1) << n) - 1;
  if ((mask & online) == 0) return false;
  let flags = irq_save();
  let c = this_cpu();
  let a = c.current;
  let t = thr(a);
  t.affinity = mask;
  if ((mask & (u64(1) << c.id)) == 0) {
    if (c.fpu_area == t.kernel_stack_top) idle_release_fpu(c);
    let d = cpu_by_id(u64(bit_lowest(mask & online)));
    t.cpu = changetype<u64>(d);
    rq_push(a);
    d.need_resched = 1;
    smp_reschedule(d.id);
    schedule();
  }
  irq_restore(flags);
  return true;
}

/** The calling thread's affinity mask (AFFINITY_ALL unless restricted). */
export function thread_affinity(): u64 {
  return thr(this_cpu().current).affinity;
}

/** The id of the CPU the caller runs on (it may move right after, unless pinned). */
export function sched_cpu_id(): u64 {
  return this_cpu().id;
}

// ---- lookup and statistics ----
export function thread_find(tid: u64): Thread | null {
  let x = all_head;
  while (x != 0) {
    if (thr(x).tid == tid) return thr(x);
    x = thr(x).all_next;
  }
  return null;
}

/** Calls fn(thread address, arg) for every live thread (used to kill a process's threads). */
export function thread_for_each(fn: (a: u64, arg: u64) => void, arg: u64): void {
  let x = all_head;
  while (x != 0) {
    let next = thr(x).all_next;
    fn(x, arg);
    x = next;
  }
}

export function thread_count(): u64 {
  return live_threads;
}

export function sched_idle_thread(): Thread {
  return thr(this_cpu().idle);
}

/**
 * Changes t's effective priority (priority inheritance); interrupts off. A ready thread moves to
 * its new run queue; the running one may be preempted at the next preemption point.
 */
export function sched_set_effective_priority(t: Thread, p: u8): void {
  if (t.priority == p) return;
  let a = thread_addr(t);
  if (t.state == THREAD_READY) {
    rq_remove(a);
    t.priority = p;
    rq_push(a);
  } else {
    t.priority = p;
    t.rq_slot = t.cpu + u64(p) * 8;
  }
  let c = cpu_of(t);
  if (t.state == THREAD_READY && rq_top(c) > i32(thr(c.current).priority)) {
    c.need_resched = 1;
    if (c != this_cpu()) smp_reschedule(c.id);
  } else if (rq_top(this_cpu()) > i32(thr(this_cpu().current).priority)) {
    this_cpu().need_resched = 1;
  }
}

/** Removes a READY thread from its run queue (it is about to be destroyed or requeued). */
export function sched_unqueue(t: Thread): void {
  if (t.state == THREAD_READY) rq_remove(thread_addr(t));
}
