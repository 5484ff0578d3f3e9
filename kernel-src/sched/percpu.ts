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

import { cpu_set_percpu_base, cpu_percpu_base, fpu_scratch_area } from "../arch/hal";

export class Cpu {
  self: u64 = 0; // 0: this record's address
  user_rsp: u64 = 0; // 8: syscall entry scratch: the user stack pointer until it is pushed
  current: u64 = 0; // 16: the running Thread
  idle: u64 = 0; // 24: this CPU's idle thread (never on a run queue)
  need_resched: u64 = 0; // 32: nonzero when a higher-priority thread (or a slice end) waits
  id: u64 = 0; // 40
  zombie: u64 = 0; // 48: a thread that exited on this CPU; the next thread to run frees it
  slab: u64 = 0; // 56: this CPU's magazines, one CpuCache per slab cache (mm/slab.ts)
  fpu_area: u64 = 0; // 64: the FPU area of the user thread whose x87/SSE state the registers hold (switch_to), or fpu_scratch_area()
  // 72: this CPU's task state segment (arch/x86_64/gdt.ts). Its RSP0 (at 76), the stack an
  // interrupt from ring 3 lands on, is also the syscall entry's stack: switch_to stores the next
  // thread's stack top there, one store at a fixed offset from the record.
  tss!: InlineArray<u64, 13>;
  // This CPU's run queues (sched/scheduler.ts; under the kernel lock): one FIFO of READY threads
  // per priority, and a bitmap of the non-empty ones. Assembly does not read them.
  rq_head!: InlineArray<u64, 128>;
  rq_tail!: InlineArray<u64, 128>;
  rq_bits!: InlineArray<u64, 2>;
  idle_ticks: u64 = 0; // ticks in a row this CPU found nothing to run (load balancing)
}

export const CPU_SELF: u64 = 0;
export const CPU_USER_RSP: u64 = 8;
export const CPU_CURRENT: u64 = 16;
export const CPU_NEED_RESCHED: u64 = 32;
export const CPU_ZOMBIE: u64 = 48;
export const CPU_FPU_AREA: u64 = 64;
export const CPU_TSS: u64 = 72;
// The run queues' offsets, for scheduler.ts's yield fast path (percpu_init checks them).
export const CPU_RQ_HEAD: u64 = 176;
export const CPU_RQ_TAIL: u64 = 1200;
export const CPU_RQ_BITS: u64 = 2224;

/** This CPU's record (inline: one load through the per-CPU base; valid once percpu_init has run). @inline */
export function this_cpu(): Cpu {
  return changetype<Cpu>(cpu_percpu_base());
}

let boot_cpu!: Inline<Cpu>;
let cpu_records!: InlineArray<u64, 16>; // Cpu addresses by id: every CPU that runs threads
let cpus_online: u64 = 1;

/**
 * Makes c (whose id is the next free one) a CPU the scheduler may queue threads on; under the
 * kernel lock (the boot CPU's, for each AP once it has started).
 */
export function cpu_register(c: Cpu): void {
  cpu_records[i32(c.id)] = changetype<u64>(c);
  cpus_online = c.id + 1;
}

/** How many CPUs run threads (ids 0 .. cpu_count() - 1). @inline */
export function cpu_count(): u64 {
  return cpus_online;
}

/** The record of CPU id (< cpu_count()). */
export function cpu_by_id(id: u64): Cpu {
  return changetype<Cpu>(cpu_records[i32(id)]);
}

/** The address of c's task state segment (arch/x86_64/gdt.ts fills and loads it). */
export function cpu_tss(c: Cpu): u64 {
  return changetype<u64>(c) + CPU_TSS;
}

/** The boot CPU's record, whose TSS gdt_init loads (before percpu_init). */
export function boot_cpu_record(): Cpu {
  return boot_cpu;
}

/** Points GS at the boot CPU's record. After gdt_init: loading a segment register clears GS.base. */
export function percpu_init(): bool {
  if (offsetof<Cpu>("user_rsp") != CPU_USER_RSP ||
    offsetof<Cpu>("current") != CPU_CURRENT || offsetof<Cpu>("need_resched") != CPU_NEED_RESCHED ||
    offsetof<Cpu>("zombie") != CPU_ZOMBIE || offsetof<Cpu>("tss") != CPU_TSS ||
    offsetof<Cpu>("fpu_area") != CPU_FPU_AREA || offsetof<Cpu>("rq_head") != CPU_RQ_HEAD ||
    offsetof<Cpu>("rq_tail") != CPU_RQ_TAIL || offsetof<Cpu>("rq_bits") != CPU_RQ_BITS) return false;
  let c = boot_cpu;
  c.self = changetype<u64>(c);
  c.id = 0;
  c.fpu_area = fpu_scratch_area();
  cpu_records[0] = c.self;
  cpu_set_percpu_base(c.self);
  return true;
}
