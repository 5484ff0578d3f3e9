// The register frame arch/x86_64/isr.S builds on the stack for every interrupt and exception.
// Field order = memory order from the lowest address; keep in sync with isr_common.

export class InterruptFrame {
  r15: u64 = 0;
  r14: u64 = 0;
  r13: u64 = 0;
  r12: u64 = 0;
  r11: u64 = 0;
  r10: u64 = 0;
  r9: u64 = 0;
  r8: u64 = 0;
  rbp: u64 = 0;
  rdi: u64 = 0;
  rsi: u64 = 0;
  rdx: u64 = 0;
  rcx: u64 = 0;
  rbx: u64 = 0;
  rax: u64 = 0;
  vector: u64 = 0;
  error: u64 = 0;
  rip: u64 = 0;
  cs: u64 = 0;
  rflags: u64 = 0;
  rsp: u64 = 0;
  ss: u64 = 0;
}

export function frame_from_user(f: InterruptFrame): bool {
  return (f.cs & 3) != 0;
}
