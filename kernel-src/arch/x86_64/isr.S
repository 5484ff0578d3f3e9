# Interrupt entry stubs: one per vector, funnelling into one common path.
#
# Every stub leaves the stack in the same shape (an error code, real or a pushed 0, then the
# vector number) so that isr_common can save all general registers into an InterruptFrame and call
# the TypeScript dispatcher `interrupt_dispatch(frame: usize)`. The frame layout, from the lowest
# address up, must match class InterruptFrame in kernel-src/arch/idt.ts:
#   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax vector error rip cs rflags rsp ss
# Vectors 0..31 are the CPU exceptions, 32..47 the remapped 8259 IRQs; every other vector uses
# isr_unexpected (vector number 255) so a stray interrupt is counted, never fatal.
# isr_stub_table holds the 48 stub addresses for the IDT setup code.
# This file is generated-looking on purpose: our assembler has no .macro, so each stub is spelled out.

        .text

        .globl isr_0
isr_0:
        pushq $0
        pushq $0
        jmp isr_common

        .globl isr_1
isr_1:
        pushq $0
        pushq $1
        jmp isr_paranoid

        .globl isr_2
isr_2:
        pushq $0
        pushq $2
        jmp isr_paranoid

        .globl isr_3
isr_3:
        pushq $0
        pushq $3
        jmp isr_common

        .globl isr_4
isr_4:
        pushq $0
        pushq $4
        jmp isr_common

        .globl isr_5
isr_5:
        pushq $0
        pushq $5
        jmp isr_common

        .globl isr_6
isr_6:
        pushq $0
        pushq $6
        jmp isr_common

        .globl isr_7
isr_7:
        pushq $0
        pushq $7
        jmp isr_common

        .globl isr_8
isr_8:
        pushq $8
        jmp isr_paranoid

        .globl isr_9
isr_9:
        pushq $0
        pushq $9
        jmp isr_common

        .globl isr_10
isr_10:
        pushq $10
        jmp isr_common

        .globl isr_11
isr_11:
        pushq $11
        jmp isr_common

        .globl isr_12
isr_12:
        pushq $12
        jmp isr_common

        .globl isr_13
isr_13:
        pushq $13
        jmp isr_common

        .globl isr_14
isr_14:
        pushq $14
        jmp isr_common

        .globl isr_15
isr_15:
        pushq $0
        pushq $15
        jmp isr_common

        .globl isr_16
isr_16:
        pushq $0
        pushq $16
        jmp isr_common

        .globl isr_17
isr_17:
        pushq $17
        jmp isr_common

        .globl isr_18
isr_18:
        pushq $0
        pushq $18
        jmp isr_paranoid

        .globl isr_19
isr_19:
        pushq $0
        pushq $19
        jmp isr_common

        .globl isr_20
isr_20:
        pushq $0
        pushq $20
        jmp isr_common

        .globl isr_21
isr_21:
        pushq $21
        jmp isr_common

        .globl isr_22
isr_22:
        pushq $0
        pushq $22
        jmp isr_common

        .globl isr_23
isr_23:
        pushq $0
        pushq $23
        jmp isr_common

        .globl isr_24
isr_24:
        pushq $0
        pushq $24
        jmp isr_common

        .globl isr_25
isr_25:
        pushq $0
        pushq $25
        jmp isr_common

        .globl isr_26
isr_26:
        pushq $0
        pushq $26
        jmp isr_common

        .globl isr_27
isr_27:
        pushq $0
        pushq $27
        jmp isr_common

        .globl isr_28
isr_28:
        pushq $0
        pushq $28
        jmp isr_common

        .globl isr_29
isr_29:
        pushq $29
        jmp isr_common

        .globl isr_30
isr_30:
        pushq $30
        jmp isr_common

        .globl isr_31
isr_31:
        pushq $0
        pushq $31
        jmp isr_common

        .globl isr_32
isr_32:
        pushq $0
        pushq $32
        jmp isr_common

        .globl isr_33
isr_33:
        pushq $0
        pushq $33
        jmp isr_common

        .globl isr_34
isr_34:
        pushq $0
        pushq $34
        jmp isr_common

        .globl isr_35
isr_35:
        pushq $0
        pushq $35
        jmp isr_common

        .globl isr_36
isr_36:
        pushq $0
        pushq $36
        jmp isr_common

        .globl isr_37
isr_37:
        pushq $0
        pushq $37
        jmp isr_common

        .globl isr_38
isr_38:
        pushq $0
        pushq $38
        jmp isr_common

        .globl isr_39
isr_39:
        pushq $0
        pushq $39
        jmp isr_common

        .globl isr_40
isr_40:
        pushq $0
        pushq $40
        jmp isr_common

        .globl isr_41
isr_41:
        pushq $0
        pushq $41
        jmp isr_common

        .globl isr_42
isr_42:
        pushq $0
        pushq $42
        jmp isr_common

        .globl isr_43
isr_43:
        pushq $0
        pushq $43
        jmp isr_common

        .globl isr_44
isr_44:
        pushq $0
        pushq $44
        jmp isr_common

        .globl isr_45
isr_45:
        pushq $0
        pushq $45
        jmp isr_common

        .globl isr_46
isr_46:
        pushq $0
        pushq $46
        jmp isr_common

        .globl isr_47
isr_47:
        pushq $0
        pushq $47
        jmp isr_common

        .globl isr_unexpected
isr_unexpected:
        pushq $0
        pushq $255
        jmp isr_common

# From ring 3 (the saved CS has RPL 3) GS is the user's: swapgs to this CPU's record on the way
# in and back on the way out (see kernel-src/sched/percpu.ts). Offsets from rsp: vector 0, error
# code 8, rip 16, cs 24 on entry; rip 0, cs 8 just before iretq.
        .globl isr_common
isr_common:
        testb $3, 24(%rsp)
        jz 1f
        swapgs
1:
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        pushfq                          # clear DF and AC (the user's popf can set AC, and with
        andl $0xfffbfbff, (%rsp)        # AC set SMAP would not stop kernel accesses to user
        popfq                           # memory); IF stays as the gate left it
        movq %rsp, %rdi
        call interrupt_dispatch
        .globl isr_return
isr_return:
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp                  # vector and error code
        testb $3, 8(%rsp)
        jz 2f
        swapgs
2:
        iretq

# The IST vectors (#DB 1, NMI 2, #DF 8, #MC 18; gdt.ts gives each its own stack) can arrive in the
# kernel with the user's GS still loaded: between syscall and its swapgs, or between the swapgs
# before sysret and sysret. So they decide by GS.base itself, not by the saved CS: the kernel's
# per-CPU record is a high-half address (negative), the user's never is. The decision is kept in
# the error-code slot (always 0 for these four vectors): 1 = swapgs again on the way out.
isr_paranoid:
        pushq %rax
        pushq %rcx
        pushq %rdx
        movl $0xc0000101, %ecx          # MSR_GS_BASE
        rdmsr
        testl %edx, %edx
        js 1f                           # the kernel's GS
        swapgs
        movq $1, 32(%rsp)               # error code slot
1:
        popq %rdx
        popq %rcx
        popq %rax
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        pushfq                          # clear DF and AC, as isr_common does
        andl $0xfffbfbff, (%rsp)
        popfq
        movq %rsp, %rdi
        call interrupt_dispatch
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        cmpq $0, 8(%rsp)                # the error code slot: swapgs back?
        je 2f
        swapgs
2:
        addq $16, %rsp                  # vector and error code
        iretq

        .section .rodata
        .balign 8
        .globl isr_stub_table
isr_stub_table:
        .quad isr_0
        .quad isr_1
        .quad isr_2
        .quad isr_3
        .quad isr_4
        .quad isr_5
        .quad isr_6
        .quad isr_7
        .quad isr_8
        .quad isr_9
        .quad isr_10
        .quad isr_11
        .quad isr_12
        .quad isr_13
        .quad isr_14
        .quad isr_15
        .quad isr_16
        .quad isr_17
        .quad isr_18
        .quad isr_19
        .quad isr_20
        .quad isr_21
        .quad isr_22
        .quad isr_23
        .quad isr_24
        .quad isr_25
        .quad isr_26
        .quad isr_27
        .quad isr_28
        .quad isr_29
        .quad isr_30
        .quad isr_31
        .quad isr_32
        .quad isr_33
        .quad isr_34
        .quad isr_35
        .quad isr_36
        .quad isr_37
        .quad isr_38
        .quad isr_39
        .quad isr_40
        .quad isr_41
        .quad isr_42
        .quad isr_43
        .quad isr_44
        .quad isr_45
        .quad isr_46
        .quad isr_47
