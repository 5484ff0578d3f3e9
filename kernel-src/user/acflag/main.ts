// Hostile-process test: RFLAGS.AC set in ring 3 (popf may set it at any privilege level). Neither
// `syscall` (SFMASK) nor the CPU's interrupt and exception entry clears it, and a kernel running
// with AC set is not stopped by SMAP when it touches user memory: the kernel's entry code must
// clear it (arch/x86_64/isr.S). We set AC, take a page fault (a first touch of mmap'ed memory)
// and timer interrupts with it set; the kernel's test checks that no handler ran with AC set
// (idt_entries_with_ac). Exit status: 0, or 101 when AC could not be set, 102 when it did not
// survive the interrupts (iretq gives us our own RFLAGS back), 103 when mmap failed.

import { mmap } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";

const RFLAGS_AC: u64 = 0x40000;
const SPIN_TSC: u64 = 100000000; // TSC ticks with AC set: several timer interrupts

export function main(port: u64): i32 {
  let page = mmap(4096, PROT_READ | PROT_WRITE); // demand paged: the first touch faults
  if (page <= 0) return 103;
  write_rflags(read_rflags() | RFLAGS_AC);
  if ((read_rflags() & RFLAGS_AC) == 0) return 101;
  store<u64>(u64(page), 1); // a page fault from ring 3 with AC set (an aligned store: no #AC)
  let t0 = rdtsc();
  while (rdtsc() - t0 < SPIN_TSC) barrier(); // timer interrupts with AC set
  let kept = (read_rflags() & RFLAGS_AC) != 0;
  write_rflags(read_rflags() & ~RFLAGS_AC);
  return kept ? 0 : 102;
}
