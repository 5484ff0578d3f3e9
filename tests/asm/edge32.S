# Hand-picked 32-bit edge cases: what a multiboot entry writes (assembled inside .code32).
	.code32
	cmpl $0x2badb002, %eax
	movl $0x80000000, %eax
	movl %eax, %cr0
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl $0xC0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl $sym, %edi
	movl %edi, %cr3
	lgdt sym
	ljmp $0x08, $sym
	movl $sym, %esp
	movl (%esp), %eax
	movl (%ebp), %eax
	movl 8(%ebp,%eax,4), %eax
	movl 0x1000(,%ecx,8), %edx
	movb %ah, %al
	movw %ax, %ds
	movw $0x3f8, %dx
	outb %al, %dx
	inb %dx, %al
	incl %eax
	decw %bx
	pushl %ebp
	popl %ebp
	leal sym(,%ecx,8), %edi
	movl $0x83, sym(,%ecx,8)
	addl $0x200000, %eax
	loop sym
	jecxz sym
	hlt
