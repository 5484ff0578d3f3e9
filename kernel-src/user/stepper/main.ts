// Hostile-process test: single-step into a system call. With TF set, `syscall`'s debug trap is
// taken in the kernel at the entry point, with the user's GS still loaded (the window before
// swapgs). The kernel must survive it (IST stack, GS decided by GS.base: isr_paranoid); our next
// user instruction then traps in ring 3 and the kernel kills us with #DB (status -128 - 1).

declare function step_into_syscall(): i64;

export function main(port: u64): i32 {
  step_into_syscall();
  return 0; // not reached: the single-step trap after the system call kills us
}
