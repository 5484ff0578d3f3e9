# Every category of issue 9 (assembler), one line each, compared byte for byte with GNU as by
# tests/encoder.test.ts. The random differential (tests/asm-random.test.ts) covers them at random;
# these lines are checked on every run.
	callq ext
	callq sym
	call ext+4
	jz ext+4
	jmp gsym-8
	call ext@PLT
	call ext@PLT+4
	movq ext@GOTPCREL(%rip), %rax
	movl ext@GOTPCREL(%rip), %eax
	addq ext@GOTPCREL(%rip), %rcx
	leaq ext@GOTPCREL(%rip), %rax
	pushq ext@GOTPCREL(%rip)
	call *ext@GOTPCREL(%rip)
	lock addl $1, (%rax)
	lock xchg (%rax), %eax
	lock btsl $1, (%rax)
	lock cmpxchg8b (%rax)
	rep stosb
	rep ret
	rep nop
	movl %ds:(%rax), %eax
	movl %ss:(%rbp), %eax
	movl %ds:(%rbp), %eax
	movl %ss:(%rax), %eax
	movl %ds:(%r13), %eax
	movl %ss:(%r12), %eax
	movabs %ds:0x10, %eax
	xchgq %rax, %rax
	xchg %rax, %rax
	xchgl %eax, %eax
	movl %eax, sym(%eax)
	addl $1, sym(,%eax,4)
	leal sym(%rax), %ecx
	setg 0xffffffff(%eax)
	fxsave (%rax)
	fxrstor (%rax)
	fxsave64 (%rax)
	fxrstorq (%rax)
	xsave (%rax)
	xrstor64 (%rax)
	xsaveq (%rax)
	xsaveopt (%rax)
	clflush (%rax)
	clflushopt 8(%rdi)
	prefetcht0 (%rax)
	prefetchnta 64(%rsi)
	prefetchw (%rax)
	movdqa %xmm0, %xmm1
	movdqu (%rax), %xmm15
	movaps %xmm1, (%rax)
	movups 16(%rsp), %xmm2
	movq %xmm0, %rax
	movq %rax, %xmm8
	movd %eax, %xmm1
	movd %xmm1, (%rax)
	movq (%rax), %xmm3
	movq %xmm3, (%rax)
	movq %xmm3, %xmm4
	insb
	insw
	insl
	outsb
	rep outsl
	insb (%dx), %es:(%rdi)
	outsl %fs:(%rsi), (%dx)
	movsb %ds:(%rsi), %es:(%rdi)
	lodsq (%esi), %rax
	in (%dx), %al
	out %al, (%dx)
	inw (%dx), %ax
	outl %eax, (%dx)
	inb $0x60
	movzb %al, %ecx
	movzb (%rax), %cx
	movzw (%rax), %rcx
	movsb %al, %ecx
	movsw %ax, %rcx
	movsl %eax, %rcx
	movsb (%rax), %cx
	inc (%rax)
	add $1, (%rax)
	shl (%rax)
	movs
	lgdtq (%rax)
	lidtq (%rax)
	retw
	retw $4
	leavew
	movb $0x1ff, %al
	movw $0x10000, %ax
	movl $0x1ffffffff, %eax
	addw $0x1ffff, %ax
	addw $0xffff, %bx
	movb $-257, (%rax)
	movl $(-1 >> 60), %eax
	movl $(1 << 64), %eax
	movq $(0xffffffffffffffff / 3), %rax
	movq $(0x8000000000000000 < 1), %rax
	.quad -1 >> 60, 1 << 64, 1 >> 65, 0x8000000000000000 / 2, 0xffffffffffffffff % 7, 18446744073709551615 < 0, 7 / 0
	.byte 0x1ff, -255
	.long 0x1ffffffff
