// The syscall instruction's entry: EFER.SCE, the segment bases of STAR, syscall_entry
// (arch/x86_64/syscall.S) in LSTAR, and the RFLAGS bits cleared on entry (SFMASK). Once several
// CPUs run (kernel_lock_on), LSTAR is syscall_entry_smp instead, which also takes and gives back
// the kernel lock: the one-CPU entry pays nothing for it (the way Linux patches its SMP
// alternatives in).

import { MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_SFMASK, EFER_SCE, kernel_lock_on } from "./cpu";
import { KERNEL_CS } from "./gdt";

declare function syscall_entry(): void;
declare function syscall_entry_smp(): void;

const SFMASK_BITS: u64 = 0x47700; // IF, TF, DF, AC, NT, IOPL: clear on entry

/** Routes the syscall instruction to syscall_entry, interrupts off on entry. */
export function syscall_entry_init(): void {
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
  // sysret: CS = base + 16, SS = base + 8 with base 0x10 -> 0x23 / 0x1b (see gdt.ts).
  wrmsr(MSR_STAR, (u64(0x10) << 48) | (u64(KERNEL_CS) << 32));
  wrmsr(MSR_LSTAR, kernel_lock_on != 0 ? addressof(syscall_entry_smp) : addressof(syscall_entry));
  wrmsr(MSR_SFMASK, SFMASK_BITS);
}
