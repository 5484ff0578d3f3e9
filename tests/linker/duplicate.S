# Defines lib_func, which kernel_lib.S defines too.
        .text
        .globl lib_func
lib_func:
        ret
