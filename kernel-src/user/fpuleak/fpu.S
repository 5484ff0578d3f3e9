# x87 and SSE register access for user/fpuleak (TypeScript has no floating point). Written as
# .byte sequences: the assembler does not know these instructions.

        .text
# fpu_put(v): x87 st0 = v (as a 64-bit integer), xmm5 = v.
        .globl fpu_put
fpu_put:
        .byte 0xdb, 0xe3                        # fninit
        pushq %rdi
        .byte 0xdf, 0x2c, 0x24                  # fildq (%rsp)
        popq %rdi
        .byte 0x66, 0x48, 0x0f, 0x6e, 0xef      # movq %rdi, %xmm5
        ret

# fpu_get_x87(): st0 as a 64-bit integer, popped (0x8000000000000000 when the stack is empty).
        .globl fpu_get_x87
fpu_get_x87:
        pushq %rax
        .byte 0xdf, 0x3c, 0x24                  # fistpq (%rsp)
        popq %rax
        ret

# fpu_get_sse(): xmm5's low quadword.
        .globl fpu_get_sse
fpu_get_sse:
        .byte 0x66, 0x48, 0x0f, 0x7e, 0xe8      # movq %xmm5, %rax
        ret
