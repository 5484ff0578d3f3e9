# System call entry (the `syscall` instruction lands here through MSR_LSTAR).
#
# On entry: rax = number, rdi rsi rdx r10 r8 = arguments, rcx = user rip, r11 = user rflags, rsp
# still the user stack, GS the user's. SFMASK has cleared IF, so nothing can interrupt us before
# the stack switch. swapgs makes GS point at this CPU's record (kernel-src/sched/percpu.ts), where
# we park the user rsp and find the current thread's kernel stack (kept up to date by the
# scheduler on every switch). Then we save what sysret needs and call the handler straight from
# syscall_table (kernel-src/syscall/syscall.ts) as handler(a1, a2, a3, a4, a5): a4 moves from r10
# to rcx. An out-of-range number gets E_NOSYS without a call.
# The fast way out checks two words: the thread was killed, or a reschedule is pending; only then
# does it call sched_return_to_user (the slow path). Everything else is straight-line.
# Like Linux, a system call preserves every register except rax (the result), rcx and r11
# (clobbered by syscall/sysret), so no kernel value reaches user space and compiled code may keep
# values in rdi, rsi, rdx, r8, r9, r10 across a system call.
# syscall_entry_smp is the same entry once several CPUs run (sysentry.ts points LSTAR at it): it
# takes the kernel lock before the handler and gives it back before sysret (cpu.ts,
# docs/locking.md), so the one-CPU entry stays as it was.

        .set CPU_USER_RSP, 8            # offsets in class Cpu (percpu.ts checks them at boot)
        .set CPU_CURRENT, 16
        .set CPU_NEED_RESCHED, 32
        .set CPU_TSS_RSP0, 76           # the running thread's kernel stack top (switch_to keeps it)
        .set THREAD_KILLED, 53          # offset of Thread.killed (scheduler_init checks it)
        .set NUM_SYSCALLS, 54           # abi/syscall.ts NUM_SYSCALLS (syscall_init checks the table)
        .set E_NOSYS, -3

        .text
        .globl syscall_entry
syscall_entry:
        swapgs
        movq %rsp, %gs:CPU_USER_RSP
        movq %gs:CPU_TSS_RSP0, %rsp
        pushq %gs:CPU_USER_RSP
        pushq %r11
        pushq %rcx
        pushq %rbp
        pushq %rdi                      # like Linux, every register but rax, rcx, r11 survives
        pushq %rsi
        pushq %rdx
        pushq %r10
        pushq %r8
        pushq %r9                       # 10 pushes: the stack stays 16-byte aligned for the call
        xorl %ebp, %ebp                 # kernel backtraces end here
        movq %r10, %rcx
        cmpq $NUM_SYSCALLS, %rax
        jae 3f
        call *syscall_table(,%rax,8)
1:
        movq %gs:CPU_CURRENT, %rcx
        cmpb $0, THREAD_KILLED(%rcx)
        jne 4f
        cmpq $0, %gs:CPU_NEED_RESCHED
        jne 4f
2:
        popq %r9
        popq %r8
        popq %r10
        popq %rdx
        popq %rsi
        popq %rdi
        popq %rbp
        popq %rcx
        popq %r11
        popq %rsp
        swapgs                          # interrupts are still off: nothing runs with the user GS here
        sysretq
3:
        movq $E_NOSYS, %rax
        jmp 1b
4:
        pushq %rax                      # twice: the result, and 16-byte alignment for the call
        pushq %rax
        call sched_return_to_user       # exits a killed thread; runs a pending reschedule
        popq %rax
        popq %rax
        jmp 2b

        .globl syscall_entry_smp
syscall_entry_smp:
        swapgs
        movq %rsp, %gs:CPU_USER_RSP
        movq %gs:CPU_TSS_RSP0, %rsp
        pushq %gs:CPU_USER_RSP
        pushq %r11
        pushq %rcx
        pushq %rbp
        pushq %rdi
        pushq %rsi
        pushq %rdx
        pushq %r10
        pushq %r8
        pushq %r9                       # the frame of syscall_entry (sys_fork_entry reads it)
        xorl %ebp, %ebp
        pushq %rax                      # the number, twice: 16-byte alignment for the call
        pushq %rax
        call kernel_lock                # interrupts off: held until the sysret path below
        popq %rax
        popq %rax
        movq 40(%rsp), %rdi             # the arguments back from the frame
        movq 32(%rsp), %rsi
        movq 24(%rsp), %rdx
        movq 16(%rsp), %rcx             # a4 is the user's r10
        movq 8(%rsp), %r8
        cmpq $NUM_SYSCALLS, %rax
        jae 3f
        call *syscall_table(,%rax,8)
1:
        movq %gs:CPU_CURRENT, %rcx
        cmpb $0, THREAD_KILLED(%rcx)
        jne 4f
        cmpq $0, %gs:CPU_NEED_RESCHED
        jne 4f
2:
        pushq %rax
        pushq %rax
        call kernel_unlock              # interrupts stay off until sysret: a reschedule IPI
        popq %rax                       # sent now arrives in ring 3
        popq %rax
        popq %r9
        popq %r8
        popq %r10
        popq %rdx
        popq %rsi
        popq %rdi
        popq %rbp
        popq %rcx
        popq %r11
        popq %rsp
        swapgs
        sysretq
3:
        movq $E_NOSYS, %rax
        jmp 1b
4:
        pushq %rax
        pushq %rax
        call sched_return_to_user
        popq %rax
        popq %rax
        jmp 2b

# The long system calls run with interrupts on: sys_mmap_preemptible and sys_munmap_preemptible
# (syscall_table's entries for SYS_MMAP, SYS_MUNMAP: up to 16384 pages zeroed and mapped),
# sys_write_preemptible (SYS_WRITE: up to 4 KiB polled out of the UART, a chunk at a time),
# sys_ipc_receive_preemptible (SYS_IPC_RECEIVE), sys_ipc_send_preemptible (where sys_ipc_call,
# SYS_IPC_SEND's entry in kernel-src/syscall/syscall.ts, goes when the call fast path is not
# taken: buffers of up to 64 KiB), and the general halves of SYS_IPC_REPLY_WAIT
# (reply_wait_general_preemptible, staged_receive_out_preemptible), which sys_ipc_call and
# sys_ipc_reply_wait call as functions (the table's entries reach the others by their return). The user state is on the
# kernel stack, so the timer may preempt the handler like a kernel thread
# (kernel-src/mm/usercopy.ts has the invariant that keeps user copies safe). The cli puts
# the way out (swapgs, sysretq) back under interrupts off. Separate stubs keep the sti and cli
# off the other calls' paths (the null call and the call fast path are unchanged). With several
# CPUs the kernel lock goes with the interrupt flag: given back before the sti, taken after the
# cli (the handler's five arguments are kept across the unlock).
        .globl sys_ipc_send_preemptible
sys_ipc_send_preemptible:
        leaq sys_ipc_send(%rip), %r11   # r11 (the user rflags) is saved on the stack already
        jmp 1f
        .globl sys_ipc_receive_preemptible
sys_ipc_receive_preemptible:
        leaq sys_ipc_receive(%rip), %r11
        jmp 1f
        .globl reply_wait_general_preemptible
reply_wait_general_preemptible:
        leaq reply_wait_general(%rip), %r11
        jmp 1f
        .globl staged_receive_out_preemptible
staged_receive_out_preemptible:
        leaq staged_receive_out(%rip), %r11
        jmp 1f
        .globl sys_mmap_preemptible
sys_mmap_preemptible:
        leaq sys_mmap(%rip), %r11
        jmp 1f
        .globl sys_write_preemptible
sys_write_preemptible:
        leaq sys_write(%rip), %r11
        jmp 1f
        .globl sys_munmap_preemptible
sys_munmap_preemptible:
        leaq sys_munmap(%rip), %r11
1:
        pushq %r11                      # after the return address: 16-byte aligned for the call
        cmpq $0, kernel_lock_on(%rip)
        je 2f
        pushq %rdi
        pushq %rsi
        pushq %rdx
        pushq %rcx
        pushq %r8
        pushq %r8                       # alignment
        call kernel_unlock
        popq %r8
        popq %r8
        popq %rcx
        popq %rdx
        popq %rsi
        popq %rdi
        movq (%rsp), %r11
2:
        sti
        call *%r11
        cli
        cmpq $0, kernel_lock_on(%rip)
        je 3f
        pushq %rax
        call kernel_lock
        popq %rax
3:
        popq %r11
        ret

# sys_fork_entry: SYS_FORK's table entry. Pushes the callee-saved registers below the system-call
# frame, so that sys_fork(regs) (kernel-src/proc/fork.ts, ForkRegs) sees every user register:
#   r15 r14 r13 r12 rbx, the return address into syscall_entry, then syscall_entry's frame:
#   r9 r8 r10 rdx rsi rdi rbp rcx (user rip) r11 (user rflags) user rsp.
# The stack was 16-byte aligned at the call into us: 8 (return address) + 40 keeps it so.
        .globl sys_fork_entry
sys_fork_entry:
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, %rdi
        call sys_fork
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        ret

# enter_user_regs(regs: ForkRegs): a forked child's first entry into ring 3, by iretq, with every
# register as its parent had it at SYS_FORK (rcx and r11 as sysret leaves them) and rax = 0.
        .globl enter_user_regs
enter_user_regs:
        call user_entry_unlock          # the kernel lock, if held, is not taken to ring 3
        cli
        pushq $0x1b
        pushq 120(%rdi)                 # user rsp
        pushq 112(%rdi)                 # rflags (sys_fork sanitized it)
        pushq $0x23
        pushq 104(%rdi)                 # rip
        movq 0(%rdi), %r15
        movq 8(%rdi), %r14
        movq 16(%rdi), %r13
        movq 24(%rdi), %r12
        movq 32(%rdi), %rbx
        movq 48(%rdi), %r9
        movq 56(%rdi), %r8
        movq 64(%rdi), %r10
        movq 72(%rdi), %rdx
        movq 80(%rdi), %rsi
        movq 96(%rdi), %rbp
        movq 104(%rdi), %rcx
        movq 112(%rdi), %r11
        movq 88(%rdi), %rdi
        xorl %eax, %eax
        swapgs
        iretq

# enter_user(rip: usize, rsp: usize, arg: usize): first entry of a thread into ring 3, by iretq.
# Selectors: 0x1b = user data | RPL 3, 0x23 = user code | RPL 3 (see kernel-src/arch/gdt.ts).
# The cli keeps an interrupt from arriving between swapgs and iretq (it would run the kernel with
# the user's GS); the iretq frame turns IF back on in ring 3. Both first give back the kernel lock
# if their caller held it (interrupts off): user_entry_unlock, cli, then ring 3.

# user_entry_unlock(): interrupts off, and the kernel lock given back if this CPU held it (they
# were off) -- the state the way into ring 3 needs. Keeps rdi (enter_user_regs' argument).
user_entry_unlock:
        pushfq
        cli
        testl $0x200, (%rsp)
        jnz 1f                          # they were on: the lock is not ours
        cmpq $0, kernel_lock_on(%rip)
        je 1f
        pushq %rdi
        call kernel_unlock
        popq %rdi
1:
        popfq                           # off either way: the interrupt flag was off, or cli'd
        cli
        ret
        .globl enter_user
enter_user:
        pushq %rdi
        pushq %rsi
        pushq %rdx
        call user_entry_unlock
        popq %rdx
        popq %rsi
        popq %rdi
        cli
        pushq $0x1b
        pushq %rsi
        pushq $0x202                    # IF set, reserved bit 1
        pushq $0x23
        pushq %rdi
        movq %rdx, %rdi
        xorl %eax, %eax
        xorl %ebx, %ebx
        xorl %ecx, %ecx
        xorl %edx, %edx
        xorl %esi, %esi
        xorl %ebp, %ebp
        xorl %r8d, %r8d
        xorl %r9d, %r9d
        xorl %r10d, %r10d
        xorl %r11d, %r11d
        xorl %r12d, %r12d
        xorl %r13d, %r13d
        xorl %r14d, %r14d
        xorl %r15d, %r15d
        swapgs
        iretq
