// The syscall instruction's entry: EFER.SCE, the segment bases of STAR, syscall_entry
// (arch/x86_64/syscall.S) in LSTAR, and the RFLAGS bits cleared on entry (SFMASK).

import { MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_SFMASK, EFER_SCE } from "./cpu";
import { KERNEL_CS } from "./gdt";

declare function syscall_entry(): void;

const SFMASK_BITS: u64 = 0x47700; // IF, TF, DF, AC, NT, IOPL: clear on entry

/** Routes the syscall instruction to syscall_entry, interrupts off on entry. */
export function syscall_entry_init(): void {
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
  // sysret: CS = base + 16, SS = base + 8 with base 0x10 -> 0x23 / 0x1b (see gdt.ts).
  wrmsr(MSR_STAR, (u64(0x10) << 48) | (u64(KERNEL_CS) << 32));
  wrmsr(MSR_LSTAR, addressof(syscall_entry));
  wrmsr(MSR_SFMASK, SFMASK_BITS);
}
