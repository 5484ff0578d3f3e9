// Bringing up the PC platform in the order kernel_main needs it: the CPU tables first, the
// interrupt controller and the timer once the scheduler can take ticks.

import { gdt_init } from "./gdt";
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

/** Remaps the PICs and starts the PIT at CLOCK_HZ; ticks reach clock_tick from here on. */
export function timer_start(): void {
  pic_init(IRQ_VECTOR_BASE);
  timer_init();
  log_info(`Timer: PIT at ${CLOCK_HZ} Hz on IRQ0, PIC remapped to vectors 32-47`);
}
