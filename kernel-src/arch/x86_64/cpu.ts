// CPU-level helpers (inline intrinsics, or arch/x86_64/cpu.S), the kernel lock, and the
// model-specific register numbers.
//
// The kernel lock (docs/locking.md): with one CPU, "interrupts off" is the lock of everything
// threads share. With several, a CPU holds the kernel lock exactly while it runs kernel code with
// interrupts off (the lock is the CPU's, not a thread's: switch_to hands it to the next thread).
// So irq_save takes it when it turns interrupts off (the saved flags had IF) and irq_restore gives
// it back when it turns them on again; interrupt and system-call entries take it when they arrive
// from code that had interrupts on (ring 3, a kernel thread, the idle halt) and give it back on
// the way out. Code that runs with interrupts on runs in parallel on every CPU, as it is
// preemptible on one. Until a second CPU starts (kernel_lock_start) the lock is skipped: the
// single-CPU hot paths pay a test of kernel_lock_on and no atomic.

let klock: u64 = 0; // while a CPU holds the kernel lock: its id + 1
export let kernel_lock_on: u64 = 0; // nonzero once a second CPU may run (read by switch.S, syscall.S)
let klock_poll: u64 = 0; // a KlockPoll: what a CPU waiting for the lock must still serve (smp.ts)

/** Called while a CPU spins for the kernel lock (interrupts off): the IPI work it must not block. */
export type KlockPoll = () => void;

/** Returns rflags and disables interrupts, taking the kernel lock if they were on. @inline */
export function irq_save(): u64 {
  let flags = read_rflags();
  cli();
  if ((flags & RFLAGS_IF) != 0 && kernel_lock_on != 0) kernel_lock();
  return flags;
}

/** Restores rflags saved by irq_save, giving the kernel lock back if interrupts come on. @inline */
export function irq_restore(flags: u64): void {
  if ((flags & RFLAGS_IF) != 0 && kernel_lock_on != 0) kernel_unlock();
  write_rflags(flags);
}

/**
 * irq_save without the kernel lock, for code that touches only this CPU's data (the slab's
 * magazine fast paths): interrupts off keeps the thread on this CPU. Nothing that needs the
 * kernel lock may be called inside. @inline
 */
export function irq_save_local(): u64 {
  let flags = read_rflags();
  cli();
  return flags;
}

/** Restores rflags saved by irq_save_local. @inline */
export function irq_restore_local(flags: u64): void {
  write_rflags(flags);
}

/**
 * Takes the kernel lock (interrupts off). While it waits it serves the TLB-shootdown and call
 * requests of the holder (klock_poll), which may be waiting for this CPU's answer.
 * @noinline
 */
export function kernel_lock(): void {
  let a = addr_of(klock);
  let me = load<u64>(cpu_percpu_base(), 40) + 1; // Cpu.id + 1 (sched/percpu.ts)
  while (atomic_cmpxchg<u64>(a, 0, me) != 0) {
    while (atomic_load<u64>(a) != 0) {
      pause();
      if (klock_poll != 0) changetype<KlockPoll>(klock_poll)();
    }
  }
}

/** Gives the kernel lock back. @noinline */
export function kernel_unlock(): void {
  atomic_store<u64>(addr_of(klock), 0);
}

/** True while this CPU holds the kernel lock (for assertions). */
export function kernel_lock_held(): bool {
  return atomic_load<u64>(addr_of(klock)) == load<u64>(cpu_percpu_base(), 40) + 1;
}

/**
 * Turns the kernel lock on, before the first other CPU starts: called on the boot CPU with
 * interrupts off, which therefore holds it from here on. poll is what a waiter serves.
 */
export function kernel_lock_start(poll: KlockPoll): void {
  klock_poll = changetype<u64>(poll);
  atomic_store<u64>(addr_of(klock), 1); // the boot CPU's: id 0 + 1
  kernel_lock_on = 1;
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

/** Interrupts on (the kernel lock given back if they were off). */
export function irq_enable(): void {
  if ((read_rflags() & RFLAGS_IF) == 0 && kernel_lock_on != 0) kernel_unlock();
  sti();
}

/** Interrupts off (the kernel lock taken if they were on). */
export function irq_disable(): void {
  irq_save();
}

/**
 * Turns interrupts on (giving the kernel lock back) and halts until the next one. One step: sti's
 * one-instruction shadow makes `sti; hlt` atomic, so an interrupt that makes work ready cannot
 * slip in before the halt.
 */
export function irq_enable_and_halt(): void {
  if ((read_rflags() & RFLAGS_IF) == 0 && kernel_lock_on != 0) kernel_unlock();
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

/** Stop this CPU for good (interrupts off; the kernel lock, if held, stays held). */
export function halt_forever(): void {
  while (true) {
    cli();
    hlt();
  }
}
