# Assembly helpers for the back-end tests (assembled by gcc/GNU as, never by the toolchain).
	.text

# clobber_all(): returns garbage in every caller-saved register, as any callee may.
	.globl clobber_all
clobber_all:
	movq	$0x1111111111111111, %rax
	movq	%rax, %rcx
	movq	%rax, %rdx
	movq	%rax, %rsi
	movq	%rax, %rdi
	movq	%rax, %r8
	movq	%rax, %r9
	movq	%rax, %r10
	movq	%rax, %r11
	ret

# check_callee_saved(fn, arg): calls fn(arg) with magic values in rbx, rbp, r12-r15 and returns
# fn's result if they all survived, else -1.
	.globl check_callee_saved
check_callee_saved:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	$0xB0B0B0B0B0B0B0B0, %rbx
	movq	$0xBEBEBEBEBEBEBEBE, %rbp
	movq	$0x1212121212121212, %r12
	movq	$0x1313131313131313, %r13
	movq	$0x1414141414141414, %r14
	movq	$0x1515151515151515, %r15
	call	*%rax
	movq	$-1, %rdx
	movq	$0xB0B0B0B0B0B0B0B0, %rcx
	cmpq	%rcx, %rbx
	cmovne	%rdx, %rax
	movq	$0xBEBEBEBEBEBEBEBE, %rcx
	cmpq	%rcx, %rbp
	cmovne	%rdx, %rax
	movq	$0x1212121212121212, %rcx
	cmpq	%rcx, %r12
	cmovne	%rdx, %rax
	movq	$0x1313131313131313, %rcx
	cmpq	%rcx, %r13
	cmovne	%rdx, %rax
	movq	$0x1414141414141414, %rcx
	cmpq	%rcx, %r14
	cmovne	%rdx, %rax
	movq	$0x1515151515151515, %rcx
	cmpq	%rcx, %r15
	cmovne	%rdx, %rax
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

# check_stack_aligned(): returns 1 if rsp was 16-byte aligned at the call (rsp+8 aligned now).
	.globl check_stack_aligned
check_stack_aligned:
	leaq	8(%rsp), %rax
	andq	$15, %rax
	sete	%al
	movzbl	%al, %eax
	ret
	.section .note.GNU-stack,"",@progbits
