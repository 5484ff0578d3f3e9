// Per-CPU data: one Cpu record per processor, reached through the GS base.
//
// In the kernel GS.base always points at this CPU's record (MSR_GS_BASE); in ring 3 it is the
// user's (0), and MSR_KERNEL_GS_BASE holds the record. Every way in from ring 3 (syscall_entry,
// isr_common when the saved CS is a user one) starts with swapgs and every way out ends with one,
// so kernel code never needs to know where it came from. `this_cpu()` is `movq %gs:0, r` inline
// (cpu_percpu_base): the record's first word is its own address.
// Assembly reads fields by offset: keep CPU_* in arch/x86_64/syscall.S and switch.S in step with the
// layout below (percpu_init checks it at boot).
// The boot CPU's record is boot_cpu below; each other CPU's is allocated by arch/x86_64/smp.ts
// before it starts, and the CPU points its own GS at it (with its own TSS) in ap_entry.

import { tss_rsp0_addr, cpu_set_percpu_base, cpu_percpu_base, fpu_scratch_area } from "../arch/hal";

export class Cpu {
  self: u64 = 0; // 0: this record's address
  user_rsp: u64 = 0; // 8: syscall entry scratch: the user stack pointer until it is pushed
  kernel_rsp: u64 = 0; // 16: top of the running thread's kernel stack (the syscall stack)
  current: u64 = 0; // 24: the running Thread
  idle: u64 = 0; // 32: this CPU's idle thread (never on a run queue)
  need_resched: u64 = 0; // 40: nonzero when a higher-priority thread (or a slice end) waits
  id: u64 = 0; // 48
  zombie: u64 = 0; // 56: a thread that exited on this CPU; the next thread to run frees it
  tss_rsp0: u64 = 0; // 64: address of RSP0 in this CPU's TSS (switch_to stores each thread's stack top)
  slab: u64 = 0; // 72: this CPU's magazines, one CpuCache per slab cache (mm/slab.ts)
  fpu_area: u64 = 0; // 80: the FPU area of the user thread whose x87/SSE state the registers hold (switch_to), or fpu_scratch_area()
}

export const CPU_SELF: u64 = 0;
export const CPU_USER_RSP: u64 = 8;
export const CPU_KERNEL_RSP: u64 = 16;
export const CPU_CURRENT: u64 = 24;
export const CPU_NEED_RESCHED: u64 = 40;
export const CPU_ZOMBIE: u64 = 56;
export const CPU_TSS_RSP0: u64 = 64;
export const CPU_FPU_AREA: u64 = 80;

/** This CPU's record (inline: one load through the per-CPU base; valid once percpu_init has run). @inline */
export function this_cpu(): Cpu {
  return changetype<Cpu>(cpu_percpu_base());
}

let boot_cpu!: Inline<Cpu>;

/** Points GS at the boot CPU's record. After gdt_init: loading a segment register clears GS.base. */
export function percpu_init(): bool {
  if (offsetof<Cpu>("user_rsp") != CPU_USER_RSP || offsetof<Cpu>("kernel_rsp") != CPU_KERNEL_RSP ||
    offsetof<Cpu>("current") != CPU_CURRENT || offsetof<Cpu>("need_resched") != CPU_NEED_RESCHED ||
    offsetof<Cpu>("zombie") != CPU_ZOMBIE || offsetof<Cpu>("tss_rsp0") != CPU_TSS_RSP0 ||
    offsetof<Cpu>("fpu_area") != CPU_FPU_AREA) return false;
  let c = boot_cpu;
  c.self = changetype<u64>(c);
  c.id = 0;
  c.tss_rsp0 = tss_rsp0_addr();
  c.fpu_area = fpu_scratch_area();
  cpu_set_percpu_base(c.self);
  return true;
}
