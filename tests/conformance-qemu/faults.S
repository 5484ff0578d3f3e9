# Programs that end by a CPU exception, run first by tests/conformance-qemu.test.ts to check the
# harness's IDT: each must show up as its `@@trap V NAME` line, and every program after it must
# still run. Each prints a line first, so that output before a trap is seen to be kept.
# The test's table FAULTS lists these entry points with their expected trap.

        .text

# say_before: prints "before\n" (clobbers the caller-saved registers).
say_before:
        lea msg_before(%rip), %rdi
        mov $7, %esi
        jmp rt_write

        .globl fault_ud2
fault_ud2:                              # #UD, no error code
        call say_before
        ud2

        .globl fault_int3
fault_int3:                             # #BP is a trap (rip after int3), still not resumed
        call say_before
        int3

# A #GP (error code pushed) after wrecking everything the harness's loop could have relied on:
# its callee-saved registers and the stack pointer.
        .globl fault_gp
fault_gp:
        call say_before
        xor %ebx, %ebx
        xor %r12d, %r12d
        xor %ebp, %ebp
        sub $4099, %rsp
        movabs $0x8000000000000000, %rax  # not canonical
        mov (%rax), %rax

        .globl fault_pf
fault_pf:                               # #PF (error code pushed): boot.S maps only the first GiB
        call say_before
        mov $0x40000000, %eax
        mov (%rax), %rax

        .section .rodata
msg_before:     .asciz "before\n"
