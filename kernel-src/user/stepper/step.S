# step_into_syscall(): sets RFLAGS.TF and makes a system call (SYS_GETTID) with it set: the
# single-step trap of `syscall` lands at the kernel's entry point, before its swapgs.
        .text
        .globl step_into_syscall
step_into_syscall:
        movl $13, %eax
        pushfq
        orq $0x100, (%rsp)
        popfq                           # TF takes effect after the next instruction: the syscall
        syscall
        ret
