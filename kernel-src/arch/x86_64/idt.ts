// Interrupt descriptor table and the one TypeScript entry point for interrupts: interrupt_dispatch.
//
// Vectors 0..31 (CPU exceptions) and 32..47 (8259 IRQs, remapped) each have a stub in
// arch/x86_64/isr.S; every other vector points at isr_unexpected. All gates are interrupt gates
// (interrupts stay off in handlers). #DF runs on IST1 (see gdt.ts).
// Policy: an exception from ring 3 kills the offending process and the kernel goes on; an
// exception in the kernel is reported and halts (except #BP, counted and resumed). Spurious and
// unexpected interrupts are counted, never fatal. On the way back to ring 3, a thread that was
// killed meanwhile exits instead of returning.

import { InterruptFrame } from "./frame";
import { KERNEL_CS } from "./gdt";
import { fault_report } from "./fault";
import { panic_stop } from "../../lib/panic";
import { pic_irq_is_spurious, pic_eoi } from "./pic";
import { timer_irq } from "./pit";
import { sched_irq_exit, sched_return_to_user } from "../../sched/scheduler";
import { proc_user_fault, proc_page_fault } from "../../proc/process";

declare const isr_stub_table: u64;
declare function isr_unexpected(): void;

const IDT_VECTORS: i32 = 256;
const STUB_VECTORS: u64 = 48;
const IRQ_BASE: u64 = 32;
const GATE_INTERRUPT: u64 = 0x8e; // present, DPL 0, 64-bit interrupt gate
const VEC_BREAKPOINT: u64 = 3;
const VEC_PAGE_FAULT: u64 = 14;
const PF_WRITE: u64 = 2; // page-fault error code: the access was a write
const PF_FETCH: u64 = 16; // the access was an instruction fetch
const VEC_DOUBLE_FAULT: u64 = 8;
const IRQ_TIMER: u64 = 0;

let idt!: InlineArray<u64, 512>; // 256 gates of 16 bytes
let idtr!: InlineArray<u16, 5>;

let breakpoint_count: u64 = 0;
let unexpected_count: u64 = 0;
let spurious_count: u64 = 0;
let irq_count: u64 = 0;

function set_gate(vector: i32, handler: u64, ist: u64): void {
  idt[vector * 2] =
    (handler & 0xffff) | (u64(KERNEL_CS) << 16) | (ist << 32) | (GATE_INTERRUPT << 40) |
    (((handler >> 16) & 0xffff) << 48);
  idt[vector * 2 + 1] = handler >> 32;
}

export function idt_init(): void {
  let stubs = addr_of(isr_stub_table);
  for (let v: i32 = 0; v < IDT_VECTORS; v++) {
    let handler = u64(v) < STUB_VECTORS ? load<u64>(stubs, u64(v) * 8) : addressof(isr_unexpected);
    set_gate(v, handler, u64(v) == VEC_DOUBLE_FAULT ? 1 : 0);
  }
  let p = addr_of(idtr);
  store<u16>(p, u16(IDT_VECTORS * 16 - 1));
  store<u64>(p, addr_of(idt), 2);
  lidt(p);
}

export function interrupt_dispatch(fp: usize): void {
  let f = changetype<InterruptFrame>(fp);
  let v = f.vector;
  if (v < IRQ_BASE) exception(f);
  else if (v < STUB_VECTORS) irq(v - IRQ_BASE);
  else unexpected_count++;
  if ((f.cs & 3) != 0) sched_return_to_user();
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
  fault_report(f, "[PANIC] kernel fault: ");
  panic_stop();
}

function irq(n: u64): void {
  if (pic_irq_is_spurious(n)) {
    spurious_count++;
    return;
  }
  irq_count++;
  pic_eoi(n); // before a possible switch: the next thread must get timer interrupts
  if (n == IRQ_TIMER) {
    timer_irq();
    sched_irq_exit();
  } else {
    unexpected_count++;
  }
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
