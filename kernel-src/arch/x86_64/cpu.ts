// CPU-level helpers (inline intrinsics, or arch/x86_64/cpu.S), and the model-specific register numbers.
//
// irq_save/irq_restore bracket every critical section: threads run on the boot CPU only and
// are not preempted while interrupts are off, so that is the lock of everything they share
// (docs/locking.md; the other CPUs idle and serve IPIs).

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

/** The per-CPU record's address: its first word, at GS.base (movq %gs:0, inline). @inline */
export function cpu_percpu_base(): u64 {
  return read_gs_u64(0);
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
const MSR_GS_BASE: u32 = 0xc0000101;
const MSR_KERNEL_GS_BASE: u32 = 0xc0000102;

/** True when the flags irq_save returned had interrupts on. */
export function irq_flags_enabled(flags: u64): bool {
  return (flags & RFLAGS_IF) != 0;
}

export function irq_enable(): void {
  sti();
}

export function irq_disable(): void {
  cli();
}

/**
 * Turns interrupts on and halts until the next one. One step: sti's one-instruction shadow makes
 * `sti; hlt` atomic, so an interrupt that makes work ready cannot slip in before the halt.
 */
export function irq_enable_and_halt(): void {
  sti();
  hlt();
}

/**
 * Points this CPU's per-CPU base (GS.base) at `record` in the kernel; ring 3 gets 0
 * (KERNEL_GS_BASE, swapped in by the first swapgs on the way out).
 */
export function cpu_set_percpu_base(record: u64): void {
  wrmsr(MSR_GS_BASE, record);
  wrmsr(MSR_KERNEL_GS_BASE, 0);
}

/** Stop this CPU for good (interrupts off). */
export function halt_forever(): void {
  while (true) {
    cli();
    hlt();
  }
}
