# 64-bit code taking a higher-half address as a zero-extended 32-bit immediate (R_X86_64_32):
# it cannot fit, the linker must say so.
        .section .boot, "ax"
        .globl _start
_start:
        hlt
        .text
        .globl get
get:
        movl $high_data, %eax
        ret
        .data
high_data:
        .quad 1
