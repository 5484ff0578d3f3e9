# A second object for the kernel fixture: a global function and data referenced from kernel_ok.S,
# a local function (which the ksymtab must list too) and a notype label with a size.
        .text
        .globl lib_func
        .type lib_func, @function
lib_func:
        call local_func
        movl lib_data(%rip), %eax
        ret
        .size lib_func, . - lib_func

        .type local_func, @function
local_func:
        ret
        .size local_func, . - local_func

sized_label:
        nop
        nop
        .size sized_label, . - sized_label

        .data
        .globl lib_data
        .type lib_data, @object
lib_data:
        .long 99
        .size lib_data, 4
