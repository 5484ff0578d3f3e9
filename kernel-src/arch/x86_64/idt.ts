// Interrupt descriptor table and the one TypeScript entry point for interrupts: interrupt_dispatch.
//
// Vectors 0..31 (CPU exceptions) and 32..47 (ISA IRQs through the I/O APIC) each have a stub in
// arch/x86_64/isr.S, the local APIC's vectors (timer, IPIs, spurious: lapic.ts) theirs in
// apic_isr.S; every other vector points at isr_unexpected. All gates are interrupt gates
// (interrupts stay off in handlers). #DF, NMI, #MC and #DB run on IST stacks (see gdt.ts) through
// isr_paranoid, which decides swapgs by GS.base (they can hit the syscall entry's swapgs window).
// Policy: an exception from ring 3 kills the offending process and the kernel goes on; an
// exception in the kernel is reported and halts (except #BP, counted and resumed). Spurious and
// unexpected interrupts are counted, never fatal. On the way back to ring 3, a thread that was
// killed meanwhile exits instead of returning.

import { InterruptFrame } from "./frame";
import { kernel_lock_on, kernel_lock, kernel_unlock, RFLAGS_IF } from "./cpu";
import { KERNEL_CS, IST_DOUBLE_FAULT, IST_NMI, IST_MACHINE_CHECK, IST_DEBUG } from "./gdt";
import { fault_report } from "./fault";
import { panic_stop } from "../../lib/panic";
import { lapic_eoi, VEC_TIMER, VEC_RESCHEDULE, VEC_TLB_SHOOTDOWN, VEC_CALL, VEC_SPURIOUS } from "./lapic";
import { smp_tlb_interrupt, smp_call_interrupt } from "./smp";
import { timer_irq } from "./timer";
import { sched_irq_exit, sched_return_to_user } from "../../sched/scheduler";
import { proc_user_fault, proc_page_fault } from "../../proc/process";

declare const isr_stub_table: u64;
declare function isr_unexpected(): void;
declare function isr_apic_timer(): void;
declare function isr_apic_reschedule(): void;
declare function isr_apic_tlb(): void;
declare function isr_apic_call(): void;
declare function isr_apic_spurious(): void;

const IDT_VECTORS: i32 = 256;
const STUB_VECTORS: u64 = 48;
const IRQ_BASE: u64 = 32;
const GATE_INTERRUPT: u64 = 0x8e; // present, DPL 0, 64-bit interrupt gate
const VEC_BREAKPOINT: u64 = 3;
const VEC_PAGE_FAULT: u64 = 14;
const PF_WRITE: u64 = 2; // page-fault error code: the access was a write
const PF_FETCH: u64 = 16; // the access was an instruction fetch
const VEC_DOUBLE_FAULT: u64 = 8;
const VEC_DEBUG: u64 = 1;
const VEC_NMI: u64 = 2;
const VEC_MACHINE_CHECK: u64 = 18;
const ISA_IRQS: u64 = 16;

let idt!: InlineArray<u64, 512>; // 256 gates of 16 bytes
let idtr!: InlineArray<u16, 5>;

let breakpoint_count: u64 = 0;
let unexpected_count: u64 = 0;
let spurious_count: u64 = 0;
let irq_count: u64 = 0;
let isa_counts!: InlineArray<u64, 16>;
let isa_handlers!: InlineArray<u64, 16>; // IsaHandler addresses, 0: none
let ipi_counts!: InlineArray<u64, 3>;

/** A driver's handler for one ISA IRQ (interrupts off; the EOI is sent before it runs). */
export type IsaHandler = () => void;

function set_gate(vector: i32, handler: u64, ist: u64): void {
  idt[vector * 2] =
    (handler & 0xffff) | (u64(KERNEL_CS) << 16) | (ist << 32) | (GATE_INTERRUPT << 40) |
    (((handler >> 16) & 0xffff) << 48);
  idt[vector * 2 + 1] = handler >> 32;
}

/** The IST stack a vector runs on (gdt.ts), 0 for the current (or RSP0) stack. */
function ist_of(v: u64): u64 {
  if (v == VEC_DOUBLE_FAULT) return IST_DOUBLE_FAULT;
  if (v == VEC_NMI) return IST_NMI;
  if (v == VEC_MACHINE_CHECK) return IST_MACHINE_CHECK;
  if (v == VEC_DEBUG) return IST_DEBUG;
  return 0;
}

export function idt_init(): void {
  let stubs = addr_of(isr_stub_table);
  for (let v: i32 = 0; v < IDT_VECTORS; v++) {
    let handler = u64(v) < STUB_VECTORS ? load<u64>(stubs, u64(v) * 8) : addressof(isr_unexpected);
    set_gate(v, handler, ist_of(u64(v)));
  }
  set_gate(i32(VEC_TIMER), addressof(isr_apic_timer), 0);
  set_gate(i32(VEC_RESCHEDULE), addressof(isr_apic_reschedule), 0);
  set_gate(i32(VEC_TLB_SHOOTDOWN), addressof(isr_apic_tlb), 0);
  set_gate(i32(VEC_CALL), addressof(isr_apic_call), 0);
  set_gate(i32(VEC_SPURIOUS), addressof(isr_apic_spurious), 0);
  let p = addr_of(idtr);
  store<u16>(p, u16(IDT_VECTORS * 16 - 1));
  store<u64>(p, addr_of(idt), 2);
  idt_load();
}

/** Loads the one IDT every CPU shares (each AP once, after idt_init on the boot CPU). */
export function idt_load(): void {
  lidt(addr_of(idtr));
}

/**
 * Every interrupt and exception. The kernel lock (cpu.ts) is taken here when the interrupted code
 * had interrupts on (ring 3, a kernel thread, an idle halt) and given back on the way out; code
 * that had them off holds it already. The TLB-shootdown and call IPIs and NMIs run their handlers
 * without it (they touch this CPU only, and a CPU holding the lock may be waiting for them), and
 * take it only for the way back to ring 3.
 */
export function interrupt_dispatch(fp: usize): void {
  let f = changetype<InterruptFrame>(fp);
  let v = f.vector;
  let locked = kernel_lock_on != 0 && (f.rflags & RFLAGS_IF) != 0 && v != VEC_NMI &&
    v != VEC_TLB_SHOOTDOWN && v != VEC_CALL;
  if (locked) kernel_lock();
  if ((read_rflags() & RFLAGS_AC) != 0) entries_with_ac++; // isr.S clears it: must stay 0
  if (v < IRQ_BASE) exception(f);
  else if (v < IRQ_BASE + ISA_IRQS) isa_irq(v - IRQ_BASE);
  else if (v == VEC_TIMER) timer_interrupt();
  else if (v >= VEC_RESCHEDULE && v <= VEC_CALL) ipi(v);
  else if (v == VEC_SPURIOUS) spurious_count++; // no EOI for the spurious vector
  else unexpected_count++;
  if ((f.cs & 3) != 0) {
    // The way back to ring 3 reads and may change scheduler state (a kill, a preemption): under
    // the lock, taken now after a handler that ran without it.
    if (kernel_lock_on != 0 && !locked) {
      kernel_lock();
      locked = true;
    }
    sched_return_to_user();
  }
  if (locked) kernel_unlock();
}

let kernel_debug_traps: u64 = 0;
const RFLAGS_AC: u64 = 0x40000;
let entries_with_ac: u64 = 0;

/**
 * Interrupts and exceptions whose handler ran with RFLAGS.AC set (tests): a user's AC would turn
 * SMAP off in the kernel; isr.S clears it on every entry, so this stays 0.
 */
export function idt_entries_with_ac(): u64 {
  return entries_with_ac;
}

/** #DB traps taken in the kernel (a user single-stepping into `syscall`; tests). */
export function idt_kernel_debug_traps(): u64 {
  return kernel_debug_traps;
}

function exception(f: InterruptFrame): void {
  if ((f.cs & 3) != 0) {
    let addr = f.vector == VEC_PAGE_FAULT ? read_cr2() : 0;
    // Demand paging: a first touch of anonymous memory maps a page and the access is retried.
    if (f.vector == VEC_PAGE_FAULT && proc_page_fault(addr, (f.error & PF_WRITE) != 0, (f.error & PF_FETCH) != 0)) return;
    proc_user_fault(f, addr); // does not return: the process is killed
    return;
  }
  if (f.vector == VEC_BREAKPOINT) {
    breakpoint_count++;
    return;
  }
  if (f.vector == VEC_DEBUG) {
    // The kernel sets no breakpoints and never single-steps itself: a #DB in the kernel is the
    // single-step trap of a user's `syscall` with TF set, taken at the entry (on IST4, with the
    // user's GS: isr_paranoid). The entry has cleared TF (SFMASK): resume; sysret gives the user
    // back its TF, and its next instruction traps in ring 3 as the user asked.
    kernel_debug_traps++;
    return;
  }
  fault_report(f, "[PANIC] kernel fault: ");
  panic_stop();
}

function timer_interrupt(): void {
  irq_count++;
  lapic_eoi(); // before a possible switch: the next thread must get timer interrupts
  timer_irq();
  sched_irq_exit();
}

/** An ISA IRQ routed by ioapic_route_isa: counted, acknowledged, passed to its driver. */
function isa_irq(n: u64): void {
  irq_count++;
  isa_counts[n]++;
  lapic_eoi();
  if (isa_handlers[n] != 0) changetype<IsaHandler>(isa_handlers[n])();
  else unexpected_count++;
}

/** Reschedule, TLB-shootdown and call IPIs (smp.ts sends them); the EOI after the work. */
function ipi(v: u64): void {
  ipi_counts[v - VEC_RESCHEDULE]++;
  if (v == VEC_TLB_SHOOTDOWN) smp_tlb_interrupt();
  else if (v == VEC_CALL) smp_call_interrupt();
  lapic_eoi();
  if (v == VEC_RESCHEDULE) sched_irq_exit();
}

/** Installs (or with null-like 0 removes) the handler of ISA IRQ n. */
export function idt_set_isa_handler(n: u64, handler: IsaHandler): void {
  isa_handlers[n] = changetype<u64>(handler);
}

export function idt_clear_isa_handler(n: u64): void {
  isa_handlers[n] = 0;
}

export function idt_isa_count(n: u64): u64 {
  return isa_counts[n];
}

export function idt_breakpoints(): u64 {
  return breakpoint_count;
}

export function idt_unexpected(): u64 {
  return unexpected_count;
}

export function idt_spurious(): u64 {
  return spurious_count;
}

export function idt_irqs(): u64 {
  return irq_count;
}
