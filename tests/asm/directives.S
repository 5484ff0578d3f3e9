# Directive and expression corner cases (character constants, octal, .fill widths, precedence, ';' and comments).
	.data
	.fill 2, 8, -1
	.fill 2, 3, 0x123456
	.fill 1, 2, 0x12345
	.skip 3, 0xab
	.byte 'a', '\n, 010, 0b101, 'z'
	.long 0x7fffffff+1, -0x80000000
	.quad -1, 0xffffffffffffffff, 1 << 63
	.ascii "\x41\x4a\0\177\1234"
	.word -32768, 65535
	.byte -1, 255
	.long 5 > 3, 2 == 2, 1 - 2 * 3, (1 + 2) * 3, 8 >> 1 + 1, 1 | 2 + 4
	.text
	movl $'A, %eax
	movl $(1 << 4) + 2, %eax
	addq $-(8 * 2), %rsp
	movq %rax, -8(%rbp) ; movq -8(%rbp), %rcx # comment
	/* multi
	   line */ nop
	.L1: jmp .L1
	.type f, @function; f: ret; .size f, .-f
	.weak w
	call w
	.local l
l:	nop
