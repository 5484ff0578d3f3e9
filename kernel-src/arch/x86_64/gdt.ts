// Global descriptor table and task state segment.
//
// Layout (fixed by syscall/sysret, see syscall/syscall.ts for STAR):
//   0x00 null
//   0x08 kernel code (64-bit)      0x10 kernel data
//   0x18 user data (DPL 3)         0x20 user code (64-bit, DPL 3)
//   0x28 TSS (a 16-byte system descriptor)
// sysret loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, hence user data before user code.
// The TSS (104 bytes, inside each CPU's record: sched/percpu.ts Cpu.tss; its u64 fields are 4-byte
// aligned, hence raw stores) supplies RSP0 (the kernel stack used when an interrupt arrives in
// ring 3; switch_to updates it on every switch, and the syscall entry takes its stack from it too)
// and the IST stacks: IST1 for double faults (so that a kernel stack
// overflow still gets reported), IST2 for NMI, IST3 for machine checks, IST4 for debug
// exceptions: these can arrive anywhere, on a stack in any state (the syscall entry runs on the
// user's stack until it switches), and isr.S's isr_paranoid handles their GS.

import { reload_segments } from "./cpu";

export const KERNEL_CS: u16 = 0x08;
export const KERNEL_DS: u16 = 0x10;
export const USER_DS: u16 = 0x18 | 3;
export const USER_CS: u16 = 0x20 | 3;
const TSS_SEL: u16 = 0x28;

const GDT_ENTRIES: i32 = 7;
const TSS_SIZE: u64 = 104;
const TSS_RSP0: u64 = 4;
const TSS_IST1: u64 = 36; // IST n at 36 + 8 (n - 1)
const TSS_IOMAP: u64 = 102;
const DF_STACK_SIZE: u64 = 16384;

let gdt!: InlineArray<u64, 7>;
let gdtr!: InlineArray<u16, 5>; // pseudo-descriptor: u16 limit, u64 base
let df_stack!: InlineArray<u8, 16384>;
const IST_STACK_SIZE: u64 = 4096; // DF_STACK_SIZE holds the four
/** The IST index (idt.ts set_gate) of each vector with a stack of its own. */
export const IST_DOUBLE_FAULT: u64 = 1;
export const IST_NMI: u64 = 2;
export const IST_MACHINE_CHECK: u64 = 3;
export const IST_DEBUG: u64 = 4;

/** Writes the descriptors into g (GDT_ENTRIES entries) and a fresh TSS at t with IST1 = df_top. */
function gdt_fill(g: usize, t: usize, df_top: u64): void {
  store<u64>(g, 0, 0);
  store<u64>(g, 0x00af9a000000ffff, 8); // kernel code: present, DPL 0, code, long mode
  store<u64>(g, 0x00cf92000000ffff, 16); // kernel data: present, DPL 0, writable
  store<u64>(g, 0x00cff2000000ffff, 24); // user data: present, DPL 3, writable
  store<u64>(g, 0x00affa000000ffff, 32); // user code: present, DPL 3, code, long mode

  memset(t, 0, TSS_SIZE);
  // The CPU's 16 KiB of IST stack (df_top is its top) in four 4 KiB stacks: #DF, NMI, #MC, #DB.
  for (let ist: u64 = IST_DOUBLE_FAULT; ist <= IST_DEBUG; ist++) {
    store<u64>(t, df_top - (ist - 1) * IST_STACK_SIZE, TSS_IST1 + 8 * (ist - 1));
  }
  store<u16>(t, u16(TSS_SIZE), TSS_IOMAP); // no I/O permission bitmap: ring 3 gets no ports
  let limit: u64 = TSS_SIZE - 1;
  store<u64>(g, (limit & 0xffff) | ((t & 0xffffff) << 16) | (u64(0x89) << 40) | (((t >> 24) & 0xff) << 56), 40);
  store<u64>(g, t >> 32, 48);
}

/** Loads GDT g through the pseudo-descriptor at p, reloads the segments and the TSS. */
function gdt_load(g: usize, p: usize): void {
  store<u16>(p, u16(GDT_ENTRIES * 8 - 1));
  store<u64>(p, g, 2);
  lgdt(p);
  reload_segments(KERNEL_CS, KERNEL_DS);
  ltr(TSS_SEL);
}

/** The boot CPU's GDT, and its TSS at tss (its Cpu record's: sched/percpu.ts cpu_tss). */
export function gdt_init(tss: u64): void {
  gdt_fill(addr_of(gdt), tss, addr_of(df_stack) + DF_STACK_SIZE);
  gdt_load(addr_of(gdt), addr_of(gdtr));
}

/** Bytes an application processor's own GDT and pseudo-descriptor take (gdt_init_ap). */
export const GDT_CPU_BYTES: u64 = 64 + 16;
export const DF_STACK_BYTES: u64 = DF_STACK_SIZE;

/**
 * Gives the calling AP its own tables in mem (GDT_CPU_BYTES, 16-byte aligned, kept for good):
 * same segments as the boot CPU, its own TSS at tss (its Cpu record's) with IST1 = df_top.
 */
export function gdt_init_ap(mem: usize, tss: u64, df_top: u64): void {
  gdt_fill(mem, tss, df_top);
  gdt_load(mem, mem + 64);
}
