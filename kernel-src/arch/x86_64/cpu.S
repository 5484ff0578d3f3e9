# Small CPU helpers the language has no intrinsic for. Each is a leaf of a few instructions.

        .text
# bit_highest(x: u64): i32 -- index of the highest set bit; x must not be 0.
        .globl bit_highest
bit_highest:
        bsrq %rdi, %rax
        ret

# bit_lowest(x: u64): i32 -- index of the lowest set bit; x must not be 0.
        .globl bit_lowest
bit_lowest:
        bsfq %rdi, %rax
        ret

# fpu_save(area) -- fxsave64 into area (16-byte aligned; fpu.ts).
        .globl fpu_save
fpu_save:
        fxsave64 (%rdi)
        ret

# cpu_breakpoint() -- int3, for the IDT self-test (a trap: execution continues after it).
        .globl cpu_breakpoint
cpu_breakpoint:
        int3
        ret

# cpu_raise_unexpected() -- a software interrupt on a vector nothing owns.
        .globl cpu_raise_unexpected
cpu_raise_unexpected:
        int $0x50
        ret

# reload_segments(code: u16, data: u16) -- after lgdt: reload the data segments, then CS by a far
# return to our own return address.
        .globl reload_segments
reload_segments:
        movl %esi, %eax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorl %eax, %eax
        movw %ax, %fs
        movw %ax, %gs
        popq %rax
        pushq %rdi
        pushq %rax
        lretq

# cpu_stac() / cpu_clac() -- set / clear RFLAGS.AC: with SMAP on, the kernel may touch user pages
# only while AC is set (protect.ts brackets every user copy). #UD on a CPU without SMAP: called
# only when protect.ts turned SMAP on.
        .globl cpu_stac
cpu_stac:
        stac
        ret

        .globl cpu_clac
cpu_clac:
        clac
        ret
