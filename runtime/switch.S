# Kernel thread context switch (xv6's swtch.S), this_cpu, and the interrupts-off wrappers of the
# scheduler's and IPC's fast paths (thread_yield, ipc_call, ipc_reply_wait).
#
# context_switch(save_sp: usize, new_sp: usize) pushes the System V callee-saved registers on the
# current stack, stores the stack pointer at *save_sp, loads new_sp and pops the other thread's
# registers. Caller-saved registers need no saving: context_switch is an ordinary call. Interrupts
# are disabled by the caller around the switch; each thread restores its own interrupt state.
#
# A new thread's stack is prepared by kernel-src/sched/scheduler.ts so that the first switch
# "returns" into thread_trampoline with r12 = entry function, r13 = its argument, rbp = 0 (the end
# of every backtrace). The layout from the saved sp up: r15 r14 r13 r12 rbx rbp, return address.

        .text
        .globl context_switch
context_switch:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret

# this_cpu(): the running CPU's record (kernel-src/sched/percpu.ts): GS.base points at it in the
# kernel, and its first word is its own address.
        .globl this_cpu
this_cpu:
        movq %gs:0, %rax
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
        call yield_locked
        popfq
        ret

# ipc_call(id, req, resp) and ipc_reply_wait(id, req, resp): the same wrapper around the IPC fast
# paths in kernel-src/ipc/port.ts (ipc_call_locked, ipc_reply_wait_locked), which need interrupts
# off; the arguments pass through (ipc_call_locked's fourth, keep, is false: deliver into resp).
        .globl ipc_call
ipc_call:
        pushfq
        cli
        xorl %ecx, %ecx
        call ipc_call_locked
        popfq
        ret

        .globl ipc_reply_wait
ipc_reply_wait:
        pushfq
        cli
        call ipc_reply_wait_locked
        popfq
        ret
