// The local APIC (xAPIC, memory-mapped): this CPU's interrupt controller. It takes the I/O APIC's
// device interrupts and IPIs, owns the per-CPU timer, and needs an EOI for every interrupt it
// delivers except its spurious vector. The 8259's LINT0 input is masked (the PICs are off); LINT1
// stays NMI. Every CPU calls lapic_init for itself; the register page is the same address on all.

import { mmio_map } from "./mmio";

const REG_ID: u64 = 0x20;
const REG_TPR: u64 = 0x80;
const REG_EOI: u64 = 0xb0;
const REG_SVR: u64 = 0xf0;
const REG_ESR: u64 = 0x280;
const REG_ICR_LOW: u64 = 0x300;
const REG_ICR_HIGH: u64 = 0x310;
const REG_LVT_TIMER: u64 = 0x320;
const REG_LVT_LINT0: u64 = 0x350;
const REG_LVT_LINT1: u64 = 0x360;
const REG_LVT_ERROR: u64 = 0x370;
const REG_TIMER_INITIAL: u64 = 0x380;
const REG_TIMER_CURRENT: u64 = 0x390;
const REG_TIMER_DIVIDE: u64 = 0x3e0;

const SVR_ENABLE: u32 = 0x100;
const LVT_MASKED: u32 = 0x10000;
const LVT_NMI: u32 = 0x400;
const DIVIDE_BY_1: u32 = 0xb;
const ICR_PENDING: u32 = 0x1000;
const ICR_INIT: u32 = 0x500;
const ICR_STARTUP: u32 = 0x600;
const ICR_LEVEL_ASSERT: u32 = 0x4000;
const ICR_ALL_BUT_SELF: u32 = 0xc0000;

const MSR_APIC_BASE: u32 = 0x1b;
const APIC_BASE_ENABLE: u64 = 0x800;

/** Vectors the local APIC owns (the I/O APIC's ISA IRQs use 32..47). */
export const VEC_TIMER: u64 = 48;
export const VEC_RESCHEDULE: u64 = 49;
export const VEC_TLB_SHOOTDOWN: u64 = 50;
export const VEC_CALL: u64 = 51;
export const VEC_SPURIOUS: u64 = 0xef; // low nibble 0xf: required by older APICs

let base: usize = 0;

function read(reg: u64): u32 {
  return volatile_load<u32>(base, reg);
}

function write(reg: u64, v: u32): void {
  volatile_store<u32>(base, v, reg);
}

/** Maps the register page (boot CPU, once). */
export function lapic_map(phys: u64): void {
  base = mmio_map(phys, 4096);
}

/** Enables this CPU's local APIC: accept every priority, LINT0 masked, LINT1 NMI, timer masked. */
export function lapic_init(): void {
  wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
  write(REG_TPR, 0);
  write(REG_LVT_TIMER, LVT_MASKED | u32(VEC_TIMER));
  write(REG_LVT_LINT0, LVT_MASKED);
  write(REG_LVT_LINT1, LVT_NMI);
  write(REG_LVT_ERROR, LVT_MASKED);
  write(REG_ESR, 0);
  write(REG_SVR, SVR_ENABLE | u32(VEC_SPURIOUS));
  lapic_eoi(); // drop anything latched before
}

export function lapic_id(): u32 {
  return read(REG_ID) >> 24;
}

export function lapic_eoi(): void {
  write(REG_EOI, 0);
}

// ---- the timer (counts at the bus/core crystal rate divided by 1; calibrated in timer.ts) ----

/** Starts a one-shot countdown of `count` timer ticks; the interrupt is VEC_TIMER. */
export function lapic_timer_oneshot(count: u32): void {
  write(REG_TIMER_DIVIDE, DIVIDE_BY_1);
  write(REG_LVT_TIMER, u32(VEC_TIMER));
  write(REG_TIMER_INITIAL, count);
}

/** Starts a free countdown from 0xFFFFFFFF with the interrupt masked (for calibration). */
export function lapic_timer_free_run(): void {
  write(REG_TIMER_DIVIDE, DIVIDE_BY_1);
  write(REG_LVT_TIMER, LVT_MASKED | u32(VEC_TIMER));
  write(REG_TIMER_INITIAL, 0xffffffff);
}

export function lapic_timer_current(): u32 {
  return read(REG_TIMER_CURRENT);
}

export function lapic_timer_stop(): void {
  write(REG_LVT_TIMER, LVT_MASKED | u32(VEC_TIMER));
  write(REG_TIMER_INITIAL, 0);
}

// ---- inter-processor interrupts ----

function icr_wait(): void {
  while ((read(REG_ICR_LOW) & ICR_PENDING) != 0) pause();
}

function icr_send(apic_id: u32, low: u32): void {
  icr_wait();
  write(REG_ICR_HIGH, apic_id << 24);
  write(REG_ICR_LOW, low); // the write of the low word sends it
  icr_wait();
}

/** A fixed-delivery IPI with `vector` to one CPU. */
export function lapic_send_ipi(apic_id: u32, vector: u64): void {
  icr_send(apic_id, u32(vector));
}

/** A fixed-delivery IPI with `vector` to every other CPU. */
export function lapic_send_ipi_others(vector: u64): void {
  icr_wait();
  write(REG_ICR_HIGH, 0);
  write(REG_ICR_LOW, ICR_ALL_BUT_SELF | u32(vector));
  icr_wait();
}

/** INIT (assert) to one CPU: it resets and waits for a STARTUP IPI. */
export function lapic_send_init(apic_id: u32): void {
  icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

/** STARTUP IPI: the CPU starts in real mode at physical page `page` (address page << 12). */
export function lapic_send_startup(apic_id: u32, page: u64): void {
  icr_send(apic_id, ICR_STARTUP | u32(page & 0xff));
}

