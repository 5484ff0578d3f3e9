// Bringing up the PC platform in the order kernel_main needs it: the CPU tables first, the
// interrupt controllers and the timer once the scheduler can take ticks.

import { gdt_init } from "./gdt";
import { boot_cpu_record, cpu_tss } from "../../sched/percpu";
import { fpu_init } from "./fpu";
import { protect_init, cpu_protections } from "./protect";
import { idt_init } from "./idt";
import { pic_disable } from "./pic";
import { acpi_init, acpi_lapic_phys } from "./acpi";
import { lapic_map, lapic_init } from "./lapic";
import { ioapic_init, ISA_VECTOR_BASE } from "./ioapic";
import { timer_calibrate, timer_begin, timer_tsc_hz, timer_lapic_hz, timer_tsc_invariant } from "./timer";
import { CLOCK_HZ } from "../../time/clock";
import { log_info } from "../../lib/log";
import { panic } from "../../lib/panic";

/** GDT (user segments, TSS) and IDT (256 vectors). */
export function cpu_tables_init(): void {
  gdt_init(cpu_tss(boot_cpu_record()));
  idt_init();
}

/** CPU features the kernel's protections need: user x87/SSE state (fpu.ts), SMEP and SMAP (protect.ts). */
export function cpu_features_init(): void {
  fpu_init();
  protect_init();
  let on = cpu_protections();
  log_info(`CPU protections: SMEP ${(on & 1) != 0 ? "on" : "absent"}, SMAP ${(on & 2) != 0 ? "on" : "absent"}, user FPU state switched`);
}

/**
 * The interrupt controllers and the clock: the MADT (ACPI) says where the local and I/O APICs
 * are; the 8259 PICs are masked; the boot CPU's APIC timer and the TSC are calibrated against
 * the PIT, and the APIC timer starts ticking (clock_tick CLOCK_HZ times a second, plus alarms).
 */
export function timer_start(): void {
  if (!acpi_init()) panic(`no ACPI MADT with an I/O APIC: this kernel needs the local and I/O APIC`);
  pic_disable(u8(ISA_VECTOR_BASE));
  lapic_map(acpi_lapic_phys());
  lapic_init();
  ioapic_init();
  timer_calibrate();
  timer_begin();
  log_info(`Timer: local APIC one-shot at ${timer_lapic_hz() / 1000} kHz, ${CLOCK_HZ} Hz ticks plus alarms; TSC clock at ${timer_tsc_hz() / 1000} kHz (invariant: ${timer_tsc_invariant() ? "yes" : "no"}); 8259 PIC masked`);
}
