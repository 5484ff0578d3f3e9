// Self-tests of the application processors: each AP answers a cross-CPU call on its own per-CPU
// record and APIC id, and a kernel page remapped on the boot CPU is seen remapped on every AP
// (the TLB shootdown; QEMU's software TLB keeps stale entries like a real one until invlpg).
// With one CPU there is nothing to test across CPUs: both say so and pass.

import { check, check_eq } from "./ktest";
import { kprint } from "../lib/log";
import { this_cpu } from "../sched/percpu";
import { pmm_alloc, pmm_free } from "../mm/pmm";
import { p2v } from "../mm/layout";
import { vmm_map, vmm_unmap, vmm_kernel_space, PTE_W, PTE_NX } from "../mm/vmm";
import { smp_cpus_up, smp_call, smp_call_start, smp_call_wait } from "../arch/x86_64/smp";
import {
  Spinlock, spin_lock, spin_unlock, spin_lock_irqsave, spin_unlock_irqrestore, spin_try_lock, spin_is_locked,
} from "../sync/spinlock";
import { clock_now_ns } from "../time/clock";
import { lapic_id } from "../arch/x86_64/lapic";
import { acpi_cpu_count } from "../arch/x86_64/acpi";
import { irq_save, irq_restore } from "../arch/hal";
import { cpu_count } from "../sched/percpu";
import {
  thread_create, thread_set_affinity, thread_affinity, thread_sleep, thread_yield, sched_cpu_id, thread_current,
} from "../sched/scheduler";
import { Thread, PRIORITY_NORMAL, PRIORITY_RT_MIN } from "../sched/thread";
import { proc_spawn_path, proc_wait, EXIT_FAULT_BASE } from "../proc/process";
import { IpcMessage } from "../abi/ipc";
import { ipc_send } from "../ipc/port";
import { E_OK } from "../abi/errors";

/** An unused kernel address (below the heap, apart from bench.ts's BENCH_VA). */
const TEST_VA: u64 = 0xffffffffb0200000;

let seen_cpu: u64 = 0;
let seen_apic: u64 = 0;
let seen_value: u64 = 0;

function report_self(arg: u64): void {
  seen_cpu = this_cpu().id;
  seen_apic = u64(lapic_id());
}

function read_test_va(arg: u64): void {
  seen_value = volatile_load<u64>(TEST_VA);
}

/** These tests call the APs from the boot CPU: the test thread moves there (and back after). */
function on_boot_cpu(): u64 {
  let old = thread_affinity();
  thread_set_affinity(1);
  return old;
}

export function test_smp_cpus_and_calls(): bool {
  let pin = on_boot_cpu();
  let ok = cpus_and_calls();
  thread_set_affinity(pin);
  return ok;
}

function cpus_and_calls(): bool {
  let n = smp_cpus_up();
  kprint(`# ${n} CPUs up of ${acpi_cpu_count()} in the MADT\n`);
  let ok = check_eq(n, acpi_cpu_count(), "every CPU of the MADT started");
  let me = u64(lapic_id());
  for (let i: u64 = 1; i < n; i++) {
    seen_cpu = 0xffff;
    seen_apic = me;
    ok = check(smp_call(i, report_self, 0), "the AP ran the call") && ok;
    ok = check_eq(seen_cpu, i, "the AP's per-CPU record (GS) is its own") && ok;
    ok = check(seen_apic != me, "the call ran on another local APIC") && ok;
  }
  ok = check(!smp_call(0, report_self, 0) && !smp_call(n, report_self, 0), "no call to CPU 0 or past the last") && ok;
  return ok;
}

export function test_smp_tlb_shootdown(): bool {
  let pin = on_boot_cpu();
  let ok = tlb_shootdown();
  thread_set_affinity(pin);
  return ok;
}

function tlb_shootdown(): bool {
  let n = smp_cpus_up();
  if (n == 1) {
    kprint(`# one CPU: no other TLB to shoot down\n`);
    return true;
  }
  let space = vmm_kernel_space();
  let a = pmm_alloc();
  let b = pmm_alloc();
  let ok = check(a != 0 && b != 0, "two frames");
  store<u64>(p2v(a), 0xaaaa);
  store<u64>(p2v(b), 0xbbbb);
  ok = check(vmm_map(space, TEST_VA, a, PTE_W | PTE_NX), "map to frame A") && ok;
  for (let i: u64 = 1; i < n; i++) {
    seen_value = 0;
    smp_call(i, read_test_va, 0); // the AP's TLB now holds TEST_VA -> A
    ok = check_eq(seen_value, 0xaaaa, "AP reads frame A") && ok;
  }
  ok = check(vmm_unmap(space, TEST_VA), "unmap (shoots down)") && ok;
  ok = check(vmm_map(space, TEST_VA, b, PTE_W | PTE_NX), "map to frame B") && ok;
  for (let i: u64 = 1; i < n; i++) {
    seen_value = 0;
    smp_call(i, read_test_va, 0);
    ok = check_eq(seen_value, 0xbbbb, "AP reads frame B after the shootdown") && ok;
  }
  vmm_unmap(space, TEST_VA);
  pmm_free(a);
  pmm_free(b);
  return ok;
}

// ---- lock torture: every CPU at once increments shared counters under one ticket lock ----
// Time-bounded, not count-bounded: under QEMU's single-threaded TCG the vCPUs take turns (about
// 100 ms each), and a ticket lock handed to a vCPU that is not running waits for its turn; with
// -accel tcg,thread=multi they really run at once. Each CPU counts its own increments; the shared
// counter must equal their sum, and no critical section may see another's half-done update.
const TORTURE_NS: u64 = 400000000;
const TORTURE_TIMEOUT_US: u64 = 60000000;
let torture_lock!: Inline<Spinlock>;
let torture_end: u64 = 0; // clock_now_ns deadline
let torture_count: u64 = 0; // incremented non-atomically inside the lock
let torture_twice: u64 = 0; // always 2 * torture_count when the lock is free
let torture_torn: u64 = 0; // critical sections that saw the invariant broken
let torture_ring!: InlineArray<u64, 64>; // a shared ring: push then pop inside the lock
let torture_head: u64 = 0;
let torture_tail: u64 = 0;
let torture_done!: InlineArray<u64, 16>; // increments per CPU

function torture_step(cpu: u64, i: u64): void {
  let n = volatile_load<u64>(addr_of(torture_count));
  let t = volatile_load<u64>(addr_of(torture_twice));
  if (t != 2 * n) torture_torn++;
  torture_ring[torture_tail & 63] = (cpu << 32) | i;
  volatile_store<u64>(addr_of(torture_tail), torture_tail + 1);
  volatile_store<u64>(addr_of(torture_count), n + 1);
  volatile_store<u64>(addr_of(torture_twice), t + 2);
  if (torture_ring[torture_head & 63] != ((cpu << 32) | i)) torture_torn++;
  volatile_store<u64>(addr_of(torture_head), torture_head + 1);
}

/** On an AP (interrupts off, in the call IPI). */
function torture_ap(cpu: u64): void {
  let i: u64 = 0;
  while (clock_now_ns() < torture_end) {
    spin_lock(torture_lock);
    torture_step(cpu, i);
    spin_unlock(torture_lock);
    i++;
  }
  torture_done[cpu] = i;
}

export function test_smp_lock_torture(): bool {
  let pin = on_boot_cpu();
  let ok = lock_torture();
  thread_set_affinity(pin);
  return ok;
}

function lock_torture(): bool {
  let n = smp_cpus_up();
  torture_count = 0;
  torture_twice = 0;
  torture_torn = 0;
  torture_head = 0;
  torture_tail = 0;
  torture_end = clock_now_ns() + TORTURE_NS;
  let ok = true;
  for (let c: u64 = 1; c < n; c++) ok = check(smp_call_start(c, torture_ap, c), "torture started on an AP") && ok;
  let i: u64 = 0;
  while (clock_now_ns() < torture_end) {
    let flags = spin_lock_irqsave(torture_lock); // the boot CPU's timer must not preempt a holder
    torture_step(0, i);
    spin_unlock_irqrestore(torture_lock, flags);
    i++;
  }
  torture_done[0] = i;
  let sum: u64 = 0;
  for (let c: u64 = 1; c < n; c++) ok = check(smp_call_wait(c, TORTURE_TIMEOUT_US), "torture finished on an AP") && ok;
  for (let c: u64 = 0; c < n; c++) {
    kprint(`# CPU ${c}: ${torture_done[c]} locked increments\n`);
    ok = check(torture_done[c] > 0, "every CPU got the lock") && ok;
    sum += torture_done[c];
  }
  ok = check_eq(torture_count, sum, "no increment lost") && ok;
  ok = check_eq(torture_twice, 2 * sum, "second counter in step") && ok;
  ok = check_eq(torture_torn, 0, "no critical section saw another's half-done update") && ok;
  ok = check(!spin_is_locked(torture_lock), "the lock is free at the end") && ok;
  ok = check(spin_try_lock(torture_lock) && !spin_try_lock(torture_lock), "try_lock takes a free lock only") && ok;
  spin_unlock(torture_lock);
  return ok;
}

// ---- threads on every CPU ----
// One kernel thread per CPU, each pinned to its CPU (thread_set_affinity), and as many unpinned
// ones: all hammer one shared counter and a shared ring under the kernel lock (irq_save), each
// counting its own increments. Every pinned thread must have run on its CPU only, the unpinned
// ones must between them have run on more than one CPU (wakeup onto idle CPUs, load balancing),
// and the shared counter must equal the sum of the private ones.
const HAMMER_ROUNDS: u64 = 2000;
let hammer_count: u64 = 0; // changed only under the kernel lock
let hammer_ring!: InlineArray<u64, 64>;
let hammer_head: u64 = 0;
let hammer_tail: u64 = 0;
let hammer_torn: u64 = 0;
let hammer_done: u64 = 0; // atomic
let hammer_mine!: InlineArray<u64, 32>; // per thread: its increments
let hammer_cpus!: InlineArray<u64, 32>; // per thread: a bit per CPU it was seen on

function hammer(arg: u64): void {
  let me = arg & 0xff;
  if ((arg & 0x100) != 0) thread_set_affinity(u64(1) << me); // pinned to CPU `me`
  for (let i: u64 = 0; i < HAMMER_ROUNDS; i++) {
    let flags = irq_save();
    hammer_cpus[i32(me)] |= u64(1) << sched_cpu_id();
    let n = volatile_load<u64>(addr_of(hammer_count));
    hammer_ring[hammer_tail & 63] = (me << 32) | i;
    volatile_store<u64>(addr_of(hammer_tail), hammer_tail + 1);
    volatile_store<u64>(addr_of(hammer_count), n + 1);
    if (hammer_ring[hammer_head & 63] != ((me << 32) | i)) hammer_torn++;
    volatile_store<u64>(addr_of(hammer_head), hammer_head + 1);
    irq_restore(flags);
    hammer_mine[i32(me)]++;
    if ((i & 63) != 0) continue;
    // an unpinned thread sleeps now and then: woken while its CPU is busy, it goes to an idle one
    if ((arg & 0x100) != 0) thread_yield();
    else thread_sleep(1);
  }
  atomic_fetch_add<u64>(addr_of(hammer_done), 1);
}

export function test_smp_threads_every_cpu(): bool {
  let n = cpu_count();
  hammer_count = 0;
  hammer_head = 0;
  hammer_tail = 0;
  hammer_torn = 0;
  hammer_done = 0;
  let threads = 2 * n;
  for (let i: u64 = 0; i < threads; i++) {
    hammer_mine[i32(i)] = 0;
    hammer_cpus[i32(i)] = 0;
  }
  let ok = true;
  for (let i: u64 = 0; i < n; i++) ok = check(thread_create(hammer, 0x100 | i, PRIORITY_NORMAL, "pinned") != 0, "pinned thread") && ok;
  for (let i: u64 = n; i < threads; i++) ok = check(thread_create(hammer, i, PRIORITY_NORMAL, "free") != 0, "unpinned thread") && ok;
  let end = clock_now_ns() + 60000000000;
  while (atomic_load<u64>(addr_of(hammer_done)) < threads && clock_now_ns() < end) thread_sleep(5);
  ok = check_eq(atomic_load<u64>(addr_of(hammer_done)), threads, "every thread finished") && ok;
  let sum: u64 = 0;
  let free_cpus: u64 = 0;
  for (let i: u64 = 0; i < threads; i++) {
    sum += hammer_mine[i32(i)];
    if (i < n) ok = check_eq(hammer_cpus[i32(i)], u64(1) << i, "a pinned thread ran on its CPU only") && ok;
    else free_cpus |= hammer_cpus[i32(i)];
  }
  kprint(`# ${n} CPUs: unpinned threads ran on CPUs ${hex(free_cpus)}\n`);
  if (n > 1) ok = check(free_cpus != 0 && (free_cpus & (free_cpus - 1)) != 0, "unpinned threads ran on more than one CPU") && ok;
  ok = check_eq(hammer_count, sum, "no increment lost") && ok;
  ok = check_eq(hammer_torn, 0, "no critical section saw another's") && ok;
  return ok;
}

/** SYS_GETCPU and SYS_SCHED_SETAFFINITY from ring 3 (user/affinity): it visits every CPU in turn. */
export function test_smp_user_affinity(): bool {
  let p = proc_spawn_path("/bin/affinity", PRIORITY_NORMAL, false);
  if (p == null) return check(false, "spawn /bin/affinity");
  let code = proc_wait(p);
  return check_eq(u64(code), 0, "affinity: every CPU reached, getcpu agreed, a mask of no running CPU refused (exit status)");
}

// ---- migration under load ----
// Three unpinned threads per CPU (more than the CPUs can run at once), each doing at least
// MIGRATE_ROUNDS rounds: an increment of a shared counter under the kernel lock and of its own
// count, one step of a pseudo-random sequence it carries in its registers and stack frame, and
// every 16th round a 1 ms sleep (woken while its CPU is busy, it may go to an idle one; an idle
// CPU also takes queued threads). Each notes the CPU changes it sees; they go on past
// MIGRATE_ROUNDS, with several CPUs, until some thread has moved (or MIGRATE_MAX_NS passed). The shared counter must
// equal the sum of the private ones, and each thread's sequence, replayed for its count of rounds,
// must end where the thread's ended: a thread resumed on another CPU found its state as it left it.
const MIGRATE_ROUNDS: u64 = 400;
const MIGRATE_MAX_NS: u64 = 20000000000;
const LCG_MUL: u64 = 6364136223846793005;
const LCG_ADD: u64 = 1442695040888963407;
let migrate_count: u64 = 0; // under the kernel lock
let migrate_moves: u64 = 0; // atomic
let migrate_done: u64 = 0; // atomic
let migrate_bad: u64 = 0; // atomic: threads whose sequence went wrong
let migrate_end: u64 = 0;
let migrate_mine!: InlineArray<u64, 64>;

function migrator(me: u64): void {
  let x = me;
  let rounds: u64 = 0;
  let cpu = sched_cpu_id();
  while (rounds < MIGRATE_ROUNDS || (cpu_count() > 1 && atomic_load<u64>(addr_of(migrate_moves)) == 0 && clock_now_ns() < migrate_end)) {
    let flags = irq_save();
    migrate_count++;
    let now = sched_cpu_id();
    irq_restore(flags);
    if (now != cpu) atomic_fetch_add<u64>(addr_of(migrate_moves), 1);
    cpu = now;
    x = x * LCG_MUL + LCG_ADD;
    rounds++;
    if ((rounds & 15) == 0) thread_sleep(1);
  }
  let y = me;
  for (let i: u64 = 0; i < rounds; i++) y = y * LCG_MUL + LCG_ADD;
  if (y != x) atomic_fetch_add<u64>(addr_of(migrate_bad), 1);
  migrate_mine[i32(me)] = rounds;
  atomic_fetch_add<u64>(addr_of(migrate_done), 1);
}

export function test_smp_migration_under_load(): bool {
  let n = cpu_count();
  let threads = 3 * n;
  migrate_count = 0;
  migrate_moves = 0;
  migrate_done = 0;
  migrate_bad = 0;
  migrate_end = clock_now_ns() + MIGRATE_MAX_NS;
  let ok = true;
  for (let i: u64 = 0; i < threads; i++) {
    migrate_mine[i32(i)] = 0;
    ok = check(thread_create(migrator, i, PRIORITY_NORMAL, "migrator") != 0, "thread_create") && ok;
  }
  let end = migrate_end + 10000000000;
  while (atomic_load<u64>(addr_of(migrate_done)) < threads && clock_now_ns() < end) thread_sleep(5);
  ok = check_eq(atomic_load<u64>(addr_of(migrate_done)), threads, "every thread finished") && ok;
  let sum: u64 = 0;
  for (let i: u64 = 0; i < threads; i++) sum += migrate_mine[i32(i)];
  kprint(`# ${threads} threads on ${n} CPUs: ${sum} rounds, ${migrate_moves} moves between CPUs\n`);
  ok = check_eq(migrate_count, sum, "the shared count is the sum of the threads' own") && ok;
  ok = check_eq(migrate_bad, 0, "every thread's carried sequence intact") && ok;
  if (n > 1) ok = check(migrate_moves > 0, "threads moved between CPUs") && ok;
  return ok;
}

// ---- real-time FIFO ----
// On the boot CPU (whose timer also ends sleeps): three threads at PRIORITY_RT_MIN each note
// their number, run for 5 timer interrupts of their own (5 ticks of CPU time, 2.5 time slices)
// and note it again. FIFO within a real-time level, without slices, runs them one after another;
// a fourth at PRIORITY_RT_MIN + 1, asleep for 10 ms when the first starts, preempts it: 1 4 1 2 2
// 3 3 (a preempted real-time thread keeps its place). The same three at a normal priority (90, above the test thread) share the CPU by slices
// instead, so the second starts before the first ends (which shows the check can fail).
const RT_TICKS: u64 = 5;
const RT_EXPECT: readonly u64[] = [1, 4, 1, 2, 2, 3, 3];
let rt_order!: InlineArray<u64, 16>;
let rt_len: u64 = 0; // under the kernel lock
let rt_done: u64 = 0; // atomic

function rt_note(v: u64): void {
  let flags = irq_save();
  if (rt_len < 16) rt_order[i32(rt_len)] = v;
  rt_len++;
  irq_restore(flags);
}

function rt_spinner(id: u64): void {
  rt_note(id);
  let t = thread_current();
  let at = changetype<usize>(t) + offsetof<Thread>("cpu_time");
  let end = volatile_load<u64>(at) + RT_TICKS;
  while (volatile_load<u64>(at) < end) pause();
  rt_note(id);
  atomic_fetch_add<u64>(addr_of(rt_done), 1);
}

function rt_waker(id: u64): void {
  thread_sleep(10);
  rt_note(id);
  atomic_fetch_add<u64>(addr_of(rt_done), 1);
}

/** Runs the three spinners at priority p (and the waker above them when rt); the notes in rt_order. */
function rt_round(p: u8, rt: bool): bool {
  rt_len = 0;
  rt_done = 0;
  let want: u64 = rt ? 4 : 3;
  let ok = true;
  if (rt) ok = check(thread_create(rt_waker, 4, PRIORITY_RT_MIN + 1, "rt_waker") != 0, "thread_create") && ok;
  for (let id: u64 = 1; id <= 3; id++) ok = check(thread_create(rt_spinner, id, p, "spinner") != 0, "thread_create") && ok;
  let end = clock_now_ns() + 30000000000;
  while (atomic_load<u64>(addr_of(rt_done)) < want && clock_now_ns() < end) thread_sleep(5);
  ok = check_eq(atomic_load<u64>(addr_of(rt_done)), want, "every thread finished") && ok;
  kprint(`# priority ${p}: ${rt_len > 0 ? rt_order[0] : 0} ${rt_len > 1 ? rt_order[1] : 0} ${rt_len > 2 ? rt_order[2] : 0} ${rt_len > 3 ? rt_order[3] : 0} ${rt_len > 4 ? rt_order[4] : 0} ${rt_len > 5 ? rt_order[5] : 0} ${rt_len > 6 ? rt_order[6] : 0}\n`);
  return ok;
}

export function test_sched_rt_fifo(): bool {
  let pin = on_boot_cpu(); // the threads inherit it
  let ok = rt_round(PRIORITY_RT_MIN, true);
  ok = check_eq(rt_len, 7, "seven notes") && ok;
  for (let i: i32 = 0; i < 7; i++) ok = check_eq(rt_order[i], RT_EXPECT[i], "real time: FIFO within the level, a higher level preempts") && ok;
  ok = rt_round(90, false) && ok;
  ok = check_eq(rt_order[1], 2, "normal priority: the second starts before the first ends (slices)") && ok;
  thread_set_affinity(pin);
  return ok;
}

// ---- from ring 3 ----
/** The status of a process killed by a page fault (proc/process.ts proc_user_fault). */
const KILLED_BY_PAGE_FAULT: i64 = EXIT_FAULT_BASE - 14;

/**
 * A user page unmapped on one CPU faults on every CPU (user/tlbshoot), once for each other CPU:
 * its reader thread there keeps the page in its TLB, the unmap on CPU 0 must shoot it down. With
 * one CPU the reader runs on CPU 0 too (the local flush).
 */
export function test_smp_user_tlb_shootdown(): bool {
  let n = smp_cpus_up();
  let ok = true;
  for (let cpu: u64 = n > 1 ? 1 : 0; cpu < n; cpu++) {
    let p = proc_spawn_path("/bin/tlbshoot", PRIORITY_NORMAL, false);
    if (p == null) return check(false, "spawn /bin/tlbshoot");
    let m = new IpcMessage();
    m.type = u32(cpu);
    ok = check_eq(u64(ipc_send(p.port, m, 0)), u64(E_OK), "tell tlbshoot the reader's CPU") && ok;
    destroy(m);
    ok = check_eq(u64(proc_wait(p)), u64(KILLED_BY_PAGE_FAULT), "the reader's CPU faulted on the unmapped page (status)") && ok;
  }
  return ok;
}

/** x87 and SSE registers follow threads that move between CPUs (user/fpumove). */
export function test_smp_fpu_across_migration(): bool {
  let p = proc_spawn_path("/bin/fpumove", PRIORITY_NORMAL, false);
  if (p == null) return check(false, "spawn /bin/fpumove");
  return check_eq(u64(proc_wait(p)), 0, "fpumove: every value read back after each move (status)");
}
