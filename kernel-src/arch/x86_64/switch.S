# Kernel thread switch (xv6's swtch.S with the scheduler's bookkeeping) and the
# interrupts-off wrappers of the scheduler's and IPC's fast paths (thread_yield, ipc_call,
# ipc_reply_wait).
#
# switch_to(c: Cpu, next: Thread address), interrupts off, the running thread already queued,
# blocked or dead (see kernel-src/sched/scheduler.ts): next becomes RUNNING with a fresh slice and
# c.current; its kernel stack top goes to the TSS's RSP0 (in the Cpu record; also the syscall
# stack; 0 for the idle thread, which runs on the boot stack and never enters ring 3); CR3 is loaded
# only when it differs. Then the System V callee-saved registers pushed on the old stack are
# saved with it in prev.sp, and next's are popped from its stack: caller-saved registers need no
# saving, switch_to is an ordinary call. Each thread restores its own interrupt state. A thread
# that exits leaves through switch_to_exit instead, which frees it (sched_reap) on the new stack.
#
# A new thread's stack is prepared by kernel-src/sched/scheduler.ts so that the first switch
# "returns" into thread_trampoline with r12 = entry function, r13 = its argument, rbp = 0 (the end
# of every backtrace). The layout from the saved sp up: r15 r14 r13 r12 rbx rbp, return address.
# The offsets are checked at boot: Thread's by scheduler_init, Cpu's by percpu_init.

        .set THREAD_STATE, 48
        .set THREAD_SP, 56
        .set THREAD_STACK_TOP, 72
        .set THREAD_SLICE, 88
        .set THREAD_CR3, 96
        .set THREAD_PROC, 144
        .set THREAD_RUNNING, 1
        .set SLICE_TICKS, 2
        .set CPU_CURRENT, 16
        .set CPU_FPU_AREA, 64
        .set CPU_TSS_RSP0, 76           # RSP0 in the TSS inside the Cpu record (CPU_TSS 72 + 4)

        .text
        .globl switch_to
switch_to:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq CPU_CURRENT(%rdi), %rax    # prev
        movq THREAD_STACK_TOP(%rsi), %rdx
        # x87/SSE state (fpu.ts): only user threads have it (Thread.proc != 0), in the FPU area at
        # their kernel_stack_top; the registers keep the last user thread's (c.fpu_area: its area,
        # or fpu.ts's scratch area when none) while kernel threads run, and are saved there and
        # loaded from next's only when a different user thread runs.
        cmpq $0, THREAD_PROC(%rsi)
        je 3f
        movq CPU_FPU_AREA(%rdi), %rcx
        cmpq %rcx, %rdx
        je 3f
        movq %rdx, CPU_FPU_AREA(%rdi)
        fxsave64 (%rcx)
        fxrstor64 (%rdx)
3:
        movl $THREAD_RUNNING, THREAD_STATE(%rsi)
        movq $SLICE_TICKS, THREAD_SLICE(%rsi)
        movq %rsi, CPU_CURRENT(%rdi)
        # The stack top goes to RSP0 (also the syscall stack) even for the idle thread (0): it
        # never enters ring 3, so it is not used while that runs.
        movq %rdx, CPU_TSS_RSP0(%rdi)
        movq THREAD_CR3(%rsi), %rdx
        cmpq THREAD_CR3(%rax), %rdx
        je 2f
        movq %rdx, %cr3
2:
        movq %rsp, THREAD_SP(%rax)
        movq THREAD_SP(%rsi), %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret

# switch_to_exit(c, next): switch_to for a thread that has exited (thread_exit: it is c.zombie,
# its CR3 the kernel's, its FPU area no longer c.fpu_area). Nothing of it is saved: it never runs
# again. Once on next's stack, with next's registers popped, sched_reap frees it (its stack and
# TCB), then we return into next. Reaping here keeps the zombie test off every other switch.
# The part between the stacks is switch_to's (read that for the why).
        .globl switch_to_exit
switch_to_exit:
        movq CPU_CURRENT(%rdi), %rax
        movq THREAD_STACK_TOP(%rsi), %rdx
        cmpq $0, THREAD_PROC(%rsi)
        je 3f
        movq CPU_FPU_AREA(%rdi), %rcx
        cmpq %rcx, %rdx
        je 3f
        movq %rdx, CPU_FPU_AREA(%rdi)
        fxsave64 (%rcx)
        fxrstor64 (%rdx)
3:
        movl $THREAD_RUNNING, THREAD_STATE(%rsi)
        movq $SLICE_TICKS, THREAD_SLICE(%rsi)
        movq %rsi, CPU_CURRENT(%rdi)
        movq %rdx, CPU_TSS_RSP0(%rdi)
        movq THREAD_CR3(%rsi), %rdx
        cmpq THREAD_CR3(%rax), %rdx
        je 2f
        movq %rdx, %cr3
2:
        movq THREAD_SP(%rsi), %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        subq $8, %rsp                   # rsp is at next's return address: align for the call
        call sched_reap
        addq $8, %rsp
        ret

# First code a new thread runs: finish the switch (reap the previous thread if it died, enable
# interrupts), run entry(arg), and exit if entry returns.
        .globl thread_trampoline
thread_trampoline:
        call sched_thread_start
        movq %r13, %rdi
        callq *%r12
        call thread_exit
        ud2

# thread_yield(): yield_locked (kernel-src/sched/scheduler.ts) with interrupts off, and the caller's
# interrupt state back afterwards. In assembly because it is the whole wrapper: pushfq/popfq in
# place of calls to irq_save/irq_restore and a frame (the yield bar in docs/benchmarks.md).
# pushfq also leaves the stack 16-byte aligned for the call.
        .globl thread_yield
thread_yield:
        pushfq
        cli
        cmpq $0, kernel_lock_on(%rip)
        jne 5f
        call yield_locked
        popfq
        ret
5:
        leaq yield_locked(%rip), %rax
        jmp locked_call

# ipc_call(id, req, resp) and ipc_reply_wait(id, req, resp): the same wrapper around the IPC fast
# paths in kernel-src/ipc/port.ts (ipc_call_locked, ipc_reply_wait_locked), which need interrupts
# off; the arguments pass through, and a fourth is added: ipc_call_locked's keep is false (deliver
# into resp), ipc_reply_wait_locked's c is this_cpu().
        .globl ipc_call
ipc_call:
        pushfq
        cli
        xorl %ecx, %ecx
        cmpq $0, kernel_lock_on(%rip)
        jne 5f
        call ipc_call_locked
        popfq
        ret
5:
        leaq ipc_call_locked(%rip), %rax
        jmp locked_call

        .globl ipc_reply_wait
ipc_reply_wait:
        pushfq
        cli
        movq %gs:0, %rcx
        cmpq $0, kernel_lock_on(%rip)
        jne 5f
        call ipc_reply_wait_locked
        popfq
        ret
5:
        leaq ipc_reply_wait_locked(%rip), %rax
        jmp locked_call

# The three wrappers above once several CPUs run (kernel_lock_on): the caller's flags are at
# (%rsp), the function in rax, its arguments in rdi rsi rdx rcx. If interrupts were on, the
# kernel lock is taken before the call and given back after it (cpu.ts irq_save / irq_restore),
# possibly on another CPU: the lock belongs to whichever CPU runs the thread.
locked_call:
        testl $0x200, (%rsp)
        jz 1f
        pushq %rax
        pushq %rdi
        pushq %rsi
        pushq %rdx
        pushq %rcx
        subq $8, %rsp                   # 16-byte alignment for the call
        call kernel_lock
        addq $8, %rsp
        popq %rcx
        popq %rdx
        popq %rsi
        popq %rdi
        popq %rax
1:
        call *%rax
        testl $0x200, (%rsp)
        jz 2f
        pushq %rax
        pushq %rax
        call kernel_unlock
        popq %rax
        popq %rax
2:
        popfq
        ret
