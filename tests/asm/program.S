# A whole-file check: sections, labels, numeric local labels, .set/.equ, expressions, alignment,
# data relocations, jump relaxation and 32-bit boot-style code. Compared with GNU as byte for byte,
# relocation for relocation and symbol for symbol.
	.set STACK_SIZE, 0x4000
	.equ MB_MAGIC, 0x1BADB002
	FLAGS = (1 << 0) | (1 << 1) | (1 << 16)
	.section .multiboot, "a"
	.balign 4
header:
	.long MB_MAGIC, FLAGS, -(MB_MAGIC + FLAGS)
	.long header, _start
	.long end_of_text - header

	.text
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cmpl $MB_MAGIC + 0x1000, %eax
	jne 1f
	movl $stack_top, %esp
	movl $(STACK_SIZE / 4), %ecx
	lgdt gdt_ptr
	ljmp $0x08, $long_mode
1:	hlt
	jmp 1b
	.size _start, . - _start

	.code64
	.p2align 4
long_mode:
	movabsq $kernel_main, %rax
	call *%rax
	call kernel_main
	jmp long_mode
	leaq table(%rip), %rsi
	movl $(table_end - table) / 8, %ecx
	movq (%rsi,%rcx,8), %rax
	.balign 16, 0x90, 3
short_back:
	.fill 100, 1, 0x90
	jz short_back
	jz far_fwd
	jmp 2f
	.skip 150, 0x90
2:	jmp 2b
	loop 2b
	.fill 120, 1, 0x90
far_fwd:
	jnz short_back
	ret
	.align 8
end_of_text:

	.data
	.globl table
table:
	.quad long_mode, kernel_main + 8, table_end, 0
	.word 0x1234, -1
	.byte 'A, 'b', 0x7f, -128
	.ascii "ab\n\t\"\\\101"
	.asciz "Scarlett OS"
	.string "two", "strings"
	.balign 8
table_end:
	.long table_end - .
	.long ext_sym - .
	.quad 1b
gdt_ptr:
	.word 3 * 8 - 1
	.long gdt
	.p2align 3
gdt:
	.quad 0, 0x00af9a000000ffff, 0x00cf92000000ffff
	.zero 16
	.int ~0, 7 % 3, 1 << 4 >> 1, 6 & 3 ^ 1, 9 / 2

	.section .rodata
msg:	.asciz "hello"
	.size msg, . - msg
	.type msg, @object
	.globl msg_len
	.set msg_len, . - msg

	.bss
	.balign 4096
	.globl stack_bottom
stack_bottom:
	.skip STACK_SIZE
stack_top:
