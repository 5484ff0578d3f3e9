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

export function test_smp_cpus_and_calls(): bool {
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
