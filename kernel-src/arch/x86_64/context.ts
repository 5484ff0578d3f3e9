// Kernel-thread contexts on x86-64: the first frame a new thread's stack holds, and switch_to
// (arch/x86_64/switch.S), which pushes the callee-saved registers on the old stack and pops them
// from the new (xv6's swtch).

import { Cpu } from "../../sched/percpu";

declare function thread_trampoline(): void;

/**
 * switch_to(c, next) runs `next` (off every queue) on CPU c; the running thread is queued,
 * blocked or dead already. It marks next running with a fresh slice, makes it c.current, points
 * RSP0 (in c's TSS, also the syscall stack) at its stack top (0 for the idle thread, which runs on the boot
 * stack and never enters ring 3), loads its CR3 if different and switches stacks. In assembly: TypeScript around a separate context_switch cost 44
 * instructions a switch, this 30 (docs/benchmarks.md, Kernel hot paths).
 */
export declare function switch_to(c: Cpu, next: u64): void;

/** switch_to for a thread that has exited (c.zombie), which sched_reap frees once on next's stack. */
export declare function switch_to_exit(c: Cpu, next: u64): void;

/**
 * Builds, below stack_top, the frame switch_to pops for a thread that has never run (r15 r14 r13
 * r12 rbx rbp, then the return into thread_trampoline, which calls entry(arg) with r12 = entry
 * and r13 = arg). Returns the stack pointer to save in Thread.sp.
 */
export function context_init(stack_top: u64, entry: u64, arg: u64): u64 {
  let sp = stack_top - 16 - 56;
  memset(sp, 0, 72);
  store<u64>(sp, arg, 16); // r13
  store<u64>(sp, entry, 24); // r12
  store<u64>(sp, addressof(thread_trampoline), 48);
  return sp;
}
