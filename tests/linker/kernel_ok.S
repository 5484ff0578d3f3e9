# A minimal multiboot kernel: 32-bit entry writes "OK\n" to COM1, then ends QEMU through the
# isa-debug-exit device (port 0xf4, value 0x10 -> exit status 33). It also exercises the
# relocation kinds a real boot path uses, in particular a higher-half symbol minus the virtual
# base in 32-bit code (R_X86_64_32 with a large addend, which must wrap to the physical address).
        .section .boot, "awx"
        .code32
        .globl _start
        .type _start, @function
_start:
        movl $(boot_stack_top - 0xFFFFFFFF80000000), %esp
        movl $(message - 0xFFFFFFFF80000000), %esi
1:      movb (%esi), %al
        testb %al, %al
        jz 2f
        movw $0x3f8, %dx
        outb %al, %dx
        incl %esi
        jmp 1b
2:      movl $(checked_value - 0xFFFFFFFF80000000), %ebx
        cmpl $0x1234abcd, (%ebx)
        jne 3f
        movb $0x10, %al
        movw $0xf4, %dx
        outb %al, %dx
3:      hlt
        jmp 3b
        .size _start, . - _start

        .text
        .code64
        .globl kernel_main
        .type kernel_main, @function
kernel_main:
        pushq %rbp
        movq %rsp, %rbp
        leaq message(%rip), %rdi
        call helper
        call lib_func
        movq counter(%rip), %rax
        movabsq $table, %rcx
        popq %rbp
        ret
        .size kernel_main, . - kernel_main

        .section .text.helper, "ax"
        .type helper, @function
helper:
        movq $table, %rax   # absolute 32-bit sign-extended (R_X86_64_32S) to a higher-half address
        ret
        .size helper, . - helper

        .section .rodata
message:
        .asciz "OK\n"
        .balign 8
table:
        .quad kernel_main, helper

        .data
        .globl checked_value
checked_value:
        .long 0x1234abcd
counter:
        .quad 42

        .bss
        .balign 16
boot_stack:
        .zero 4096
boot_stack_top:
