// Bringing up the PC platform in the order kernel_main needs it: the CPU tables first, the
// interrupt controller and the timer once the scheduler can take ticks.

import { gdt_init } from "./gdt";
import { fpu_init } from "./fpu";
import { protect_init, cpu_protections } from "./protect";
import { idt_init } from "./idt";
import { pic_init } from "./pic";
import { timer_init } from "./pit";
import { CLOCK_HZ } from "../../time/clock";
import { log_info } from "../../lib/log";

const IRQ_VECTOR_BASE: u8 = 32;

/** GDT (user segments, TSS) and IDT (256 vectors). */
export function cpu_tables_init(): void {
  gdt_init();
  idt_init();
}

/** CPU features the kernel's protections need: user x87/SSE state (fpu.ts), SMEP and SMAP (protect.ts). */
export function cpu_features_init(): void {
  fpu_init();
  protect_init();
  let on = cpu_protections();
  log_info(`CPU protections: SMEP ${(on & 1) != 0 ? "on" : "absent"}, SMAP ${(on & 2) != 0 ? "on" : "absent"}, user FPU state switched`);
}

/** Remaps the PICs and starts the PIT at CLOCK_HZ; ticks reach clock_tick from here on. */
export function timer_start(): void {
  pic_init(IRQ_VECTOR_BASE);
  timer_init();
  log_info(`Timer: PIT at ${CLOCK_HZ} Hz on IRQ0, PIC remapped to vectors 32-47`);
}
