// CPU-level helpers implemented in runtime/cpu.S, and the model-specific register numbers.
//
// irq_save/irq_restore bracket every critical section: the kernel is single-CPU and
// non-preemptible while interrupts are off, so that is its only lock for now.

/** Returns rflags and disables interrupts (pushfq; pop; cli, inline). @inline */
export function irq_save(): u64 {
  let flags = read_rflags();
  cli();
  return flags;
}

/** Restores rflags (and so the interrupt flag) saved by irq_save (push; popfq, inline). @inline */
export function irq_restore(flags: u64): void {
  write_rflags(flags);
}
/** Index of the highest set bit of x (x != 0). */
export declare function bit_highest(x: u64): i32;
/** Index of the lowest set bit of x (x != 0). */
export declare function bit_lowest(x: u64): i32;
export declare function cpu_breakpoint(): void;
export declare function cpu_raise_unexpected(): void;
export declare function reload_segments(code: u16, data: u16): void;

export const MSR_EFER: u32 = 0xc0000080;
export const MSR_STAR: u32 = 0xc0000081;
export const MSR_LSTAR: u32 = 0xc0000082;
export const MSR_SFMASK: u32 = 0xc0000084;
export const EFER_SCE: u64 = 0x1;
export const EFER_NXE: u64 = 0x800;
export const RFLAGS_IF: u64 = 0x200;
export const CR4_PGE: u64 = 0x80;

/** Stop this CPU for good (interrupts off). */
export function halt_forever(): void {
  while (true) {
    cli();
    hlt();
  }
}
