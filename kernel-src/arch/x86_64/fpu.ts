// x87/SSE state of user threads. Every user thread has a 512-byte FXSAVE area (16-byte aligned,
// at its kernel_stack_top: the top of the stack allocation, above the stack); kernel threads
// (Thread.proc == 0) use none. The kernel itself never
// uses x87 or SSE (the compiler emits neither), so the registers keep the last user thread's
// values while kernel threads run (Cpu.fpu_area: that thread's area, or the scratch area below
// when there is none); switch_to (switch.S) saves them there with fxsave64 and loads the next
// user thread's with fxrstor64 only when a different user thread runs. Eager, with no CR0.TS or #NM handler: three instructions on a switch that needs
// nothing (docs/benchmarks.md). CR4.OSFXSR enables SSE for user mode and
// makes fxsave cover the XMM registers; OSXMMEXCPT delivers unmasked SIMD exceptions as #XM
// (a user fault) rather than #UD.

export const FPU_AREA_SIZE: u64 = 512;
const CR0_MP: u64 = 0x2;
const CR0_EM: u64 = 0x4;
const CR4_OSFXSR: u64 = 0x200;
const CR4_OSXMMEXCPT: u64 = 0x400;
const FCW_DEFAULT: u16 = 0x037f; // what fninit loads: every x87 exception masked
const MXCSR_DEFAULT: u32 = 0x1f80; // every SSE exception masked, round to nearest
const FXSAVE_MXCSR: u64 = 24;

/** Where switch_to saves registers that belong to nobody (written, never loaded). 16-byte aligned. */
let scratch!: InlineArray<u8, 528>;

/** Saves the x87/SSE registers into area (fxsave64; cpu.S). */
export declare function fpu_save(area: u64): void;

export function fpu_scratch_area(): u64 {
  return (addr_of(scratch) + 15) & ~u64(15);
}

export function fpu_init(): void {
  write_cr0((read_cr0() | CR0_MP) & ~CR0_EM);
  write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

/** A thread's first FPU state (area: FPU_AREA_SIZE bytes, 16-byte aligned): fninit's, MXCSR's default. */
export function fpu_state_init(area: u64): void {
  memset(area, 0, FPU_AREA_SIZE);
  store<u16>(area, FCW_DEFAULT);
  store<u32>(area, MXCSR_DEFAULT, FXSAVE_MXCSR);
}
