# Hand-picked 64-bit edge cases for the encoder differential (one instruction per line).
	movl (%rbp), %eax
	movl (%r13), %eax
	movl (%rsp), %eax
	movl (%r12), %eax
	movl 0(%rax), %eax
	movl (%rbp,%rax), %eax
	movl (%r13,%rax,2), %eax
	movl (%rax,%rbp), %eax
	movl (%rax,%r13,4), %eax
	movl (%rsp,%r12), %eax
	movq 0x7fffffff(%rax), %rax
	movq -0x80000000(%rax), %rax
	movq 0xffffffff80000000, %rax
	movb %spl, %al
	movb %bpl, %sil
	movb %dil, (%rax)
	movb %ah, %bh
	movb %ah, (%rbx)
	movzbl %ah, %eax
	movb $0, %spl
	addb %spl, %dil
	addq $-128, %rsp
	addq $128, %rsp
	subq $0x80, %rsp
	andl $0xfffffff0, %esp
	andq $-16, %rsp
	cmpb $0xff, %al
	cmpw $0xff, %ax
	testb $0x80, %ah
	testq $-1, %rax
	shlq $63, %rax
	sarw %cl, (%rdi)
	imulq $0x7fffffff, %rax, %rdx
	imulw $-1, %ax
	leaq (,%rax,8), %rcx
	leaq 1(%rax,%rax,2), %rax
	leal (%rdi,%rsi), %eax
	leaq -1(%rip), %rax
	leaq sym(%rip), %r15
	movq %fs:0, %rax
	movq %gs:(%rax), %rcx
	movl %es:(%rdi), %eax
	mov %cr8, %r15
	mov %r15, %cr8
	pushq %r15
	popq %r15
	pushw %r15w
	call *%r15
	jmp *%r12
	call *(%r12)
	call *(%r13)
	jmp *0x10(%rsp)
	xchg %r15, %rax
	xchg %rax, %r15
	xchg %r15d, %r8d
	xchg %bl, %al
	lock cmpxchgq %r15, (%r12)
	lock xchg %rax, (%rdx)
	rep stosb
	rep movsq
	movabsb %al, 0x1122334455667788
	movabs $0xffffffffffffffff, %rax
	movq $0xffffffff80000000, %rax
	movq $0x80000000, %rax
	movl $-1, %eax
	movw $-1, %ax
	movb $255, %al
	bt %eax, %ecx
	btq $63, %rax
	btsl $0, (%rax)
	btrq %rcx, (%rdx)
	btcw $15, %ax
	bsrq (%rax), %rcx
	setb %sil
	setnz %r9b
	cmovbq %rax, %rcx
	inb %dx, %al
	outw %ax, %dx
	outl %eax, $0xf4
	int $0x20
	nop
	ud2
