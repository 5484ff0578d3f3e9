// Starting the application processors (APs) and talking to them.
//
// smp_start_aps (boot CPU, once, after the timer): for every enabled CPU the MADT lists besides
// this one, INIT, then STARTUP at the trampoline (ap_boot.S, copied to physical 0x8000 and
// identity-mapped while the APs start, one at a time). The AP arrives in ap_entry in long mode on
// a fresh 64 KiB stack, loads its own GDT and TSS (with its own double-fault IST stack), the
// shared IDT, its per-CPU record (GS base), enables its local APIC and system-call MSRs, counts
// itself in, waits for the kernel lock (the boot CPU holds it until its boot is done), turns on
// the same CPU features as the boot CPU (x87/SSE for users, SMEP/SMAP), starts its timer tick and
// becomes a CPU of the scheduler (sched_ap_idle): from then on it runs threads like the boot CPU.
//
// IPIs: smp_tlb_shootdown(va) and smp_tlb_shootdown_range(va, pages) invalidate kernel pages on every other CPU and
// smp_tlb_shootdown_space(root, va) a user page on every other CPU running that address space;
// both wait until all have. smp_call(cpu, fn, arg) runs fn(arg) on one AP in its interrupt
// handler and waits; smp_reschedule(cpu) makes a CPU look at its run queue. The shootdown is
// serialized by smp_lock and waits with the caller's interrupts off (so holding the kernel lock);
// a CPU that waits for the kernel lock serves shootdowns and calls meanwhile (smp_poll), so the
// holder's wait always ends. Calls and their functions run without the kernel lock.

import { fpu_scratch_area } from "./fpu";
import { Cpu, this_cpu, cpu_tss, cpu_register } from "../../sched/percpu";
import { slab_cpu_init } from "../../mm/slab";
import { fpu_init } from "./fpu";
import { protect_init } from "./protect";
import { timer_start_ap } from "./timer";
import { kernel_lock, kernel_lock_start, kernel_lock_held } from "./cpu";
import { panic } from "../../lib/panic";
import { thr } from "../../sched/thread";
import { sched_ap_init, sched_ap_idle } from "../../sched/scheduler";
import { kmalloc } from "../../mm/kmalloc";
import { MAX_CPUS } from "../../mm/slab"; // the kernel's CPU limit: per-CPU slab magazines
import { p2v, PAGE_SIZE } from "../../mm/layout";
import { vmm_kernel_space, vmm_map, vmm_unmap } from "../../mm/vmm";
import { Spinlock, spin_lock_irqsave, spin_unlock_irqrestore } from "../../sync/spinlock";
import { log_info, log_error } from "../../lib/log";
import { acpi_cpu_count, acpi_cpu_apic_id } from "./acpi";
import {
  lapic_init, lapic_id, lapic_send_init, lapic_send_startup, lapic_send_ipi, lapic_send_ipi_others,
  VEC_TLB_SHOOTDOWN, VEC_CALL, VEC_RESCHEDULE,
} from "./lapic";
import { gdt_init_ap, GDT_CPU_BYTES, DF_STACK_BYTES } from "./gdt";
import { idt_load } from "./idt";
import { cpu_set_percpu_base } from "./cpu";
import { mmu_root, mmu_switch, mmu_enable_global_pages, mmu_flush_page, mmu_flush_all, PTE_W } from "./mmu";
import { syscall_entry_init } from "./sysentry";
import { timer_now_ns } from "./timer";

declare const ap_trampoline: u8;
declare const ap_trampoline_end: u8;
declare const ap_params: u8;

const TRAMPOLINE_PA: u64 = 0x8000;
const STARTUP_PAGE: u64 = TRAMPOLINE_PA >> 12;
const AP_STACK_SIZE: u64 = 65536;
const NS_PER_US: u64 = 1000;
const AP_START_TIMEOUT_US: u64 = 2000000; // QEMU TCG with many vCPUs on few host cores is slow
const IPI_TIMEOUT_US: u64 = 2000000;
/** Above this many pages a range shootdown drops the whole TLB instead of page by page. */
const FLUSH_RANGE_PAGES: u64 = 32;

/** A function smp_call runs on another CPU, in its interrupt handler. */
export type SmpCall = (arg: u64) => void;

let cpus_up: u64 = 1; // the boot CPU; each AP adds itself (atomic)
let cpu_apic!: InlineArray<u32, 16>;
let cpu_tables!: InlineArray<u64, 16>; // each AP's GDT + TSS memory
let cpu_recs!: InlineArray<u64, 16>; // each CPU's record (an AP's from before it starts)
let cpu_df_stacks!: InlineArray<u64, 16>;
let smp_lock!: Inline<Spinlock>;
let tlb_va: u64 = 0; // the first page to drop, or TLB_ALL: the whole (non-global) TLB
let tlb_pages: u64 = 0; // how many pages from tlb_va
let tlb_pending: u64 = 0;
// The shootdown being served, published in one word: its generation << 16 | a bit per CPU that
// must answer. A CPU answers each generation once (the IPI and smp_poll may both see it).
let tlb_req: u64 = 0;
let tlb_seen!: InlineArray<u64, 16>; // per CPU: the last generation it answered
let call_pending!: InlineArray<u64, 16>; // per CPU: a call waits (run by the IPI or smp_poll)
export const TLB_ALL: u64 = 0xffffffffffffffff; // smp_tlb_shootdown_space: every user page of the space
let call_fns!: InlineArray<u64, 16>;
let call_args!: InlineArray<u64, 16>;
let call_done!: InlineArray<u64, 16>;

function delay_us(us: u64): void {
  let end = timer_now_ns() + us * NS_PER_US;
  while (timer_now_ns() < end) pause();
}

/** Waits until *addr != old or the timeout passes; true if it changed. */
function wait_change(addr: usize, old: u64, timeout_us: u64): bool {
  let end = timer_now_ns() + timeout_us * NS_PER_US;
  while (atomic_load<u64>(addr) == old) {
    if (timer_now_ns() > end) return false;
    pause();
  }
  return true;
}

function param(offset: u64, v: u64): void {
  store<u64>(p2v(TRAMPOLINE_PA) + (addr_of(ap_params) - addr_of(ap_trampoline)), v, offset);
}

/** INIT-SIPI-SIPI for one AP; true once it has counted itself in. */
function start_ap(index: u64, apic_id: u32): bool {
  let stack = kmalloc(AP_STACK_SIZE);
  let tables = kmalloc(GDT_CPU_BYTES);
  let df = kmalloc(DF_STACK_BYTES);
  if (stack == 0 || tables == 0 || df == 0) return false;
  let c = new Cpu();
  c.id = index;
  c.fpu_area = fpu_scratch_area(); // the registers hold nobody's state yet
  slab_cpu_init(c, index);
  sched_ap_init(c); // its idle thread, allocated here
  cpu_apic[index] = apic_id;
  cpu_recs[index] = changetype<u64>(c);
  cpu_tables[index] = tables;
  cpu_df_stacks[index] = df + DF_STACK_BYTES;
  param(0, mmu_root());
  param(8, stack + AP_STACK_SIZE);
  param(16, addressof(ap_entry));
  param(24, changetype<u64>(c));
  let before = atomic_load<u64>(addr_of(cpus_up));
  lapic_send_init(apic_id);
  delay_us(10000);
  lapic_send_startup(apic_id, STARTUP_PAGE);
  if (wait_change(addr_of(cpus_up), before, 200)) return true;
  lapic_send_startup(apic_id, STARTUP_PAGE); // the second STARTUP of the MP protocol
  return wait_change(addr_of(cpus_up), before, AP_START_TIMEOUT_US);
}

/** Starts every other CPU of the MADT; returns how many CPUs run (the boot CPU included). */
export function smp_start_aps(): u64 {
  let me = lapic_id();
  cpu_apic[0] = me;
  cpu_recs[0] = changetype<u64>(this_cpu());
  let n = acpi_cpu_count();
  let size = addr_of(ap_trampoline_end) - addr_of(ap_trampoline);
  memcpy(p2v(TRAMPOLINE_PA), addr_of(ap_trampoline), size);
  let space = vmm_kernel_space();
  if (!vmm_map(space, TRAMPOLINE_PA, TRAMPOLINE_PA, PTE_W)) {
    log_error(`SMP: cannot map the AP trampoline`);
    return 1;
  }
  if (n > 1) kernel_lock_start(smp_poll); // interrupts are off: the boot CPU holds it from here
  let index: u64 = 1;
  for (let i: u64 = 0; i < n && index < MAX_CPUS; i++) {
    let id = acpi_cpu_apic_id(i);
    if (id == me) continue;
    if (!start_ap(index, id)) {
      log_error(`SMP: CPU with APIC id ${id} did not start; not starting more`);
      break;
    }
    cpu_register(changetype<Cpu>(cpu_recs[i32(index)])); // in id order: cpu_count() has no gaps
    index++;
  }
  vmm_unmap(space, TRAMPOLINE_PA); // shot down on the APs too: they run the kernel's space
  log_info(`SMP: ${cpus_up} of ${n} CPUs up, threads run on every CPU`);
  return cpus_up;
}

/** Where an AP arrives from the trampoline (on its own stack, interrupts off). */
export function ap_entry(cpu: u64): void {
  let c = changetype<Cpu>(cpu);
  let i = c.id;
  gdt_init_ap(cpu_tables[i], cpu_tss(c), cpu_df_stacks[i]);
  idt_load();
  c.self = cpu;
  cpu_set_percpu_base(cpu);
  mmu_enable_global_pages();
  lapic_init();
  syscall_entry_init();
  atomic_fetch_add<u64>(addr_of(cpus_up), 1);
  kernel_lock(); // interrupts off: held from here; the boot CPU gives it up when its boot is done
  fpu_init();
  protect_init();
  timer_start_ap();
  sched_ap_idle(c);
}

/** How many CPUs are running. */
export function smp_cpus_up(): u64 {
  return atomic_load<u64>(addr_of(cpus_up));
}

// ---- TLB shootdown ----

/** Drops kernel page va from every CPU's TLB: this one at once, the others by IPI; returns when all have. */
export function smp_tlb_shootdown(va: u64): void {
  mmu_flush_page(va);
  if (smp_cpus_up() > 1) shoot(va, 1, 0);
}

/**
 * smp_tlb_shootdown for kernel pages va .. va + pages * 4 KiB, with one IPI for the lot: each
 * shootdown costs a round trip to every CPU (under QEMU's single-threaded TCG, a turn of every
 * vCPU), so a range is not shot down page by page.
 */
export function smp_tlb_shootdown_range(va: u64, pages: u64): void {
  flush_range(va, pages);
  if (smp_cpus_up() > 1) shoot(va, pages, 0);
}

/** Drops pages va .. va + pages * 4 KiB from this CPU's TLB (the whole TLB for a long range). */
function flush_range(va: u64, pages: u64): void {
  if (pages > FLUSH_RANGE_PAGES) {
    mmu_flush_all();
    return;
  }
  for (let i: u64 = 0; i < pages; i++) mmu_flush_page(va + i * PAGE_SIZE);
}

/**
 * Drops user page va (TLB_ALL: every user page) of the address space with root table `root`
 * from the TLB of every CPU that may hold it: this one if it runs that space, and each other CPU
 * whose running thread does (a CPU drops a space's entries when it switches away from it).
 * Under the kernel lock, so no CPU switches spaces meanwhile.
 */
export function smp_tlb_shootdown_space(root: u64, va: u64): void {
  if (mmu_root() == root) {
    if (va == TLB_ALL) mmu_switch(root);
    else mmu_flush_page(va);
  }
  if (smp_cpus_up() > 1) shoot(va, 1, root);
}

/** Sends the shootdown of pages from va to the other CPUs (those running root, or all when root is 0) and waits. */
function shoot(va: u64, pages: u64, root: u64): void {
  let me = this_cpu().id;
  let n = smp_cpus_up();
  let mask: u64 = 0;
  let count: u64 = 0;
  for (let i: u64 = 0; i < n; i++) {
    if (i == me || (root != 0 && thr(changetype<Cpu>(cpu_recs[i32(i)]).current).cr3 != root)) continue;
    mask |= u64(1) << i;
    count++;
  }
  if (mask == 0) return;
  if (!kernel_lock_held()) panic(`TLB shootdown without the kernel lock`);
  let flags = spin_lock_irqsave(smp_lock);
  tlb_va = va;
  tlb_pages = pages;
  atomic_store<u64>(addr_of(tlb_pending), count);
  atomic_store<u64>(addr_of(tlb_req), (((tlb_req >> 16) + 1) << 16) | mask); // after va and pending
  for (let i: u64 = 0; i < n; i++) if ((mask & (u64(1) << i)) != 0) lapic_send_ipi(cpu_apic[i], VEC_TLB_SHOOTDOWN);
  let end = timer_now_ns() + IPI_TIMEOUT_US * NS_PER_US;
  while (atomic_load<u64>(addr_of(tlb_pending)) != 0 && timer_now_ns() < end) pause();
  if (atomic_load<u64>(addr_of(tlb_pending)) != 0) {
    let late: u64 = 0;
    for (let i: u64 = 0; i < n; i++) if ((mask & (u64(1) << i)) != 0 && tlb_seen[i32(i)] != tlb_req >> 16) late |= u64(1) << i;
    log_error(`SMP: TLB shootdown of ${hex(va)} not acknowledged by CPUs ${hex(late)}`);
  }
  spin_unlock_irqrestore(smp_lock, flags);
}

/** The TLB-shootdown IPI on a receiving CPU (also polled by a CPU waiting for the kernel lock). */
export function smp_tlb_interrupt(): void {
  let me = this_cpu().id;
  let req = atomic_load<u64>(addr_of(tlb_req));
  if (tlb_seen[i32(me)] == req >> 16) return;
  tlb_seen[i32(me)] = req >> 16;
  if ((req & (u64(1) << me)) == 0) return;
  if (tlb_va == TLB_ALL) mmu_switch(mmu_root());
  else flush_range(tlb_va, tlb_pages);
  atomic_fetch_add<u64>(addr_of(tlb_pending), 0xffffffffffffffff);
}

/** A reschedule IPI to CPU id (another one): it looks at its run queue (sched_irq_exit). */
export function smp_reschedule(id: u64): void {
  lapic_send_ipi(cpu_apic[i32(id)], VEC_RESCHEDULE);
}

/** What a CPU spinning for the kernel lock serves: the holder may be waiting for these. */
function smp_poll(): void {
  smp_tlb_interrupt();
  smp_call_interrupt();
}

// ---- cross-CPU calls ----
// One slot per CPU: the boot CPU (the only caller, for now) may start calls on several APs and
// then wait for each, so they run in parallel (the lock torture test does).

/** Starts fn(arg) on CPU `index` (an AP), in its interrupt handler; false for no such AP. */
export function smp_call_start(index: u64, fn: SmpCall, arg: u64): bool {
  if (index == 0 || index >= smp_cpus_up()) return false;
  call_fns[index] = changetype<u64>(fn);
  call_args[index] = arg;
  atomic_store<u64>(addr_of(call_done) + index * 8, 0);
  atomic_store<u64>(addr_of(call_pending) + index * 8, 1);
  lapic_send_ipi(cpu_apic[index], VEC_CALL);
  return true;
}

/** Waits up to timeout_us for the call started on CPU `index`; true once it has returned. */
export function smp_call_wait(index: u64, timeout_us: u64): bool {
  return wait_change(addr_of(call_done) + index * 8, 0, timeout_us);
}

/** Runs fn(arg) on CPU `index` (an AP) and waits for it; true once it has returned. */
export function smp_call(index: u64, fn: SmpCall, arg: u64): bool {
  return smp_call_start(index, fn, arg) && smp_call_wait(index, IPI_TIMEOUT_US);
}

/** The call IPI on the receiving CPU (also polled by a CPU waiting for the kernel lock). */
export function smp_call_interrupt(): void {
  let i = this_cpu().id;
  if (atomic_xchg<u64>(addr_of(call_pending) + i * 8, 0) == 0) return;
  let fn = changetype<SmpCall>(call_fns[i]);
  fn(call_args[i]);
  atomic_store<u64>(addr_of(call_done) + i * 8, 1);
}
