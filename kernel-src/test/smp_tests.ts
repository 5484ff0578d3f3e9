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
import { smp_cpus_up, smp_call } from "../arch/x86_64/smp";
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
