# User program entry: the kernel's ELF loader jumps here in ring 3 with rdi = the process's own IPC
# port and rsp = top of a fresh user stack. main's i32 result becomes the exit status.

        .text
        .globl _start
_start:
        xorl %ebp, %ebp
        call main
        movslq %eax, %rdi
        xorl %eax, %eax                 # SYS_EXIT
        syscall
        ud2
