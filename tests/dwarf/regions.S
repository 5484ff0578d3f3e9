# A program whose code is in two input sections (.text.a, .text.b), both placed in the output
# .text: the compile unit then covers two address ranges (DW_AT_ranges, .debug_rnglists).
# Comments `@name` mark the lines tests/dwarf.test.ts looks for.

        .section .text.a,"ax",@progbits
        .globl _start
        .type _start, @function
_start:
        call func_b                 # @start-call
        mov $60, %eax
        xor %edi, %edi
        syscall
        .size _start, .-_start

        .section .text.b,"ax",@progbits
        .globl func_b
        .type func_b, @function
func_b:
        push %rbp                   # @func-b
        mov %rsp, %rbp
        pop %rbp
        ret
        .size func_b, .-func_b
