# The IPC fast paths between user threads, as system-call table entries in assembly (seL4's and
# L4's fastpath): ipc_call_fast for SYS_IPC_SEND and ipc_reply_wait_fast for SYS_IPC_REPLY_WAIT.
#
# Each handles one case completely, the common one of a client/server pair: the message is in the
# page the thread checked last (Thread.checked_page), the capability and the port are good, the
# partner waits with a destination that may be written now, inline data only, and the partner may
# run here at once (sched_handoff's rule: it last ran on this CPU and no ready thread has its
# priority or a higher one). Every test comes before anything is changed, and when one fails the
# entry jumps on with the arguments as they came, to where syscall/syscall.ts's entry would have
# gone: the general path (sys_ipc_send_preemptible, reply_wait_general_preemptible in syscall.S)
# when a test of the TypeScript fast path fails, which decides every other case, errors included;
# the TypeScript entry itself (sys_ipc_call, sys_ipc_reply_wait) when only the handoff rule does
# not hold, whose fast path then ends in handoff_general (the partner moves here, or ready
# threads go first). The TypeScript is the reference: each block below names the function whose
# tests and stores it repeats, and a change there must be made here too.
#
# Why assembly: the same work compiled is about 75 instructions more per round trip (frames,
# loads not folded into compares, inlined tests re-tested by their callers), which kept
# ipc_call_reply_user_user above its bar of 400 (docs/benchmarks.md).
#
# A system call runs with interrupts off and, with several CPUs, under the kernel lock
# (syscall_entry_smp): these paths need nothing else (docs/locking.md). Only the thread is
# carried across the switch; it is found again through GS afterwards (it may run on another CPU
# by then, if the general path woke it). Nothing here needs callee-saved registers: switch_to
# saves them. Registers: r9 = this CPU's record, r8 = the current thread, rax = the message in
# the direct map, r10 = the port, rdx = the partner (after the tests that need rdx as it came).
#
# Offsets and constants: ipc/port.ts ipc_fast_layout_ok checks them at boot.

        .set CPU_CURRENT, 16
        .set CPU_RQ_BITS, 2224          # the ready bitmap: levels 0..63, then 64..127
        .set T_TID, 0
        .set T_STATE, 48
        .set T_PRIORITY, 52
        .set T_KILLED, 53
        .set T_NEXT, 104
        .set T_WAITQ, 112
        .set T_PROC, 144
        .set T_WAIT_RESULT, 176
        .set T_REPLY_MSG_ID, 184
        .set T_CALL_PORT, 192
        .set T_REPLY_TO, 200
        .set T_IPC_DST, 208
        .set T_CHECKED_PAGE, 216
        .set T_CHECK_GEN, 224
        .set T_CHECKED_KVA, 232
        .set T_IPC_GEN, 240
        .set T_REPLY_HOLDER, 488
        .set T_CAPS, 496
        .set T_IPC_UPTR, 536
        .set T_CPU, 544
        .set THREAD_BLOCKED, 2
        .set PORT_ID, 0
        .set PORT_SERIAL, 8
        .set PORT_OWNER, 16
        .set PORT_COUNT, 36             # u32
        .set PORT_SENT, 40
        .set PORT_RECV_HEAD, 48         # receivers: a WaitQueue (head, tail)
        .set PORT_RECV_TAIL, 56
        .set PORT_CALLERS_HEAD, 80
        .set PROC_PID, 0
        .set CAP_RIGHTS, 512            # CapTable: refs[64] then rights[64]
        .set PROC_MAX_CAPS, 64
        .set CAP_SEND, 1
        .set CAP_RECEIVE, 2
        .set MSG_ID, 8
        .set MSG_TYPE, 16
        .set MSG_FLAGS, 20
        .set MSG_BUFFER_SIZE, 96
        .set MSG_CAP, 104
        .set MSG_LAST_OFFSET, 3984      # PAGE_SIZE - sizeof<IpcMessage>: the message fits the page
        .set IPC_FLAG_CALL, 1
        .set SEND_CALL, 2

        .text

# ipc_call_fast(h, ptr, flags): SYS_IPC_SEND. The fast case is flags = SEND_CALL.
        .globl ipc_call_fast
ipc_call_fast:
        cmpq $0, asm_fast_on(%rip)      # off: the TypeScript entry, as if this file were not here
        je sys_ipc_call
        cmpq $SEND_CALL, %rdx
        jne sys_ipc_send_preemptible
        movq %gs:0, %r9
        movq CPU_CURRENT(%r9), %r8
        # mm/usercopy.ts user_msg_kva_cached(me, ptr)
        movq %rsi, %rax
        andq $-4096, %rax
        cmpq %rax, T_CHECKED_PAGE(%r8)
        jne sys_ipc_send_preemptible
        movq unmaps(%rip), %r11
        cmpq %r11, T_CHECK_GEN(%r8)
        jne sys_ipc_send_preemptible
        movq %rsi, %rax
        andq $4095, %rax
        cmpq $MSG_LAST_OFFSET, %rax
        ja sys_ipc_send_preemptible
        addq T_CHECKED_KVA(%r8), %rax
        # ipc/cap.ts cap_lookup(me.caps, h, CAP_SEND), ipc/port.ts port_of_ref
        cmpq $PROC_MAX_CAPS, %rdi
        jae sys_ipc_send_preemptible
        movq T_CAPS(%r8), %r10
        testq $CAP_SEND, CAP_RIGHTS(%r10,%rdi,8)
        jz sys_ipc_send_preemptible
        movq (%r10,%rdi,8), %rcx
        movzbl %cl, %r10d
        movq ports(,%r10,8), %r10
        testq %r10, %r10
        jz sys_ipc_send_preemptible
        shrq $8, %rcx
        cmpq %rcx, PORT_SERIAL(%r10)
        jne sys_ipc_send_preemptible
        # ipc/port.ts call_takes: inline data only; a receiver r waits whose page may be written
        cmpq $0, MSG_BUFFER_SIZE(%rax)
        jne sys_ipc_send_preemptible
        movq PORT_RECV_HEAD(%r10), %rdx
        testq %rdx, %rdx
        jz 9f
        cmpq $0, T_IPC_GEN(%rdx)
        je 1f
        cmpq %r11, T_IPC_GEN(%rdx)
        jne 9f
1:
        # sched/scheduler.ts sched_handoff: straight to r only if it ran here last and overtakes nobody
        cmpq %r9, T_CPU(%rdx)
        jne 7f
        movzbl T_PRIORITY(%rdx), %ecx
        cmpl $64, %ecx
        jae 8f
        movq CPU_RQ_BITS(%r9), %r11
        shrq %cl, %r11
        orq CPU_RQ_BITS+8(%r9), %r11
        jnz 7f
2:
        # ipc/port.ts call_handoff (as ipc_call_user calls it): r off the port's receivers...
        movq T_NEXT(%rdx), %rcx
        movq %rcx, PORT_RECV_HEAD(%r10)
        testq %rcx, %rcx
        jnz 3f
        movq $0, PORT_RECV_TAIL(%r10)
3:
        movq $0, T_NEXT(%rdx)
        movq $0, T_WAITQ(%rdx)
        addq $1, PORT_SENT(%r10)
        movq next_msg_id(%rip), %rcx    # rcx = the call's msg_id
        leaq 1(%rcx), %rdi
        movq %rdi, next_msg_id(%rip)
        # ...we wait for the reply into our page (ipc_gen: while no user page is unmapped)...
        movq %rsi, T_IPC_UPTR(%r8)
        movq %rax, T_IPC_DST(%r8)
        movq unmaps(%rip), %rdi
        movq %rdi, T_IPC_GEN(%r8)
        movq %rcx, T_REPLY_MSG_ID(%r8)
        movq PORT_ID(%r10), %rdi
        movq %rdi, T_CALL_PORT(%r8)
        movl $THREAD_BLOCKED, T_STATE(%r8)
        movq T_PROC(%rdx), %rdi         # reply_holder_of(r): its process, or r itself
        testq %rdi, %rdi
        jnz 4f
        movq %rdx, %rdi
4:
        movq %rdi, T_REPLY_HOLDER(%r8)
        movq $0, T_WAIT_RESULT(%rdx)
        movq %r8, T_REPLY_TO(%rdx)
        # ...the call straight into r's destination (deliver_direct)
        movq T_IPC_DST(%rdx), %rdi
        movq T_TID(%r8), %rsi
        movq %rsi, (%rdi)
        movq %rcx, MSG_ID(%rdi)
        movl MSG_TYPE(%rax), %esi
        movl %esi, MSG_TYPE(%rdi)
        movl $IPC_FLAG_CALL, MSG_FLAGS(%rdi)
        movq 24(%rax), %rsi             # the 64 inline bytes
        movq %rsi, 24(%rdi)
        movq 32(%rax), %rsi
        movq %rsi, 32(%rdi)
        movq 40(%rax), %rsi
        movq %rsi, 40(%rdi)
        movq 48(%rax), %rsi
        movq %rsi, 48(%rdi)
        movq 56(%rax), %rsi
        movq %rsi, 56(%rdi)
        movq 64(%rax), %rsi
        movq %rsi, 64(%rdi)
        movq 72(%rax), %rsi
        movq %rsi, 72(%rdi)
        movq 80(%rax), %rsi
        movq %rsi, 80(%rdi)
        movq $0, MSG_BUFFER_SIZE(%rdi)
        movq $0, MSG_CAP(%rdi)
        movq $0, T_IPC_DST(%rdx)
        addq $1, asm_fast_calls(%rip)
        movq %r9, %rdi
        movq %rdx, %rsi
        call switch_to
        # Woken: ipc_call_user's and sys_ipc_call's end. The reply is in our page (ipc_dst 0), or
        # an error, or the general path staged it (staged_reply_out delivers it).
        movq %gs:CPU_CURRENT, %rcx
        movq $0, T_REPLY_MSG_ID(%rcx)
        movq $0, T_IPC_GEN(%rcx)
        movq T_WAIT_RESULT(%rcx), %rax
        testq %rax, %rax
        jnz 5f
        cmpq $0, T_IPC_DST(%rcx)
        jne 6f
5:
        ret
6:
        movq T_IPC_UPTR(%rcx), %rdi
        jmp staged_reply_out
8:
        movq CPU_RQ_BITS+8(%r9), %r11   # r's level is 64 or above
        shrq %cl, %r11                  # shift counts are taken modulo 64
        testq %r11, %r11
        jz 2b
7:
        movl $SEND_CALL, %edx           # the flags as they came
        jmp sys_ipc_call                # its fast path, which ends in handoff_general
9:
        movl $SEND_CALL, %edx
        jmp sys_ipc_send_preemptible

# ipc_reply_wait_fast(h, req_ptr, resp_ptr): SYS_IPC_REPLY_WAIT. The fast case answers with the
# message it received (req_ptr = resp_ptr).
        .globl ipc_reply_wait_fast
ipc_reply_wait_fast:
        cmpq $0, asm_fast_on(%rip)
        je sys_ipc_reply_wait
        cmpq %rsi, %rdx
        jne reply_wait_general_preemptible
        movq %gs:0, %r9
        movq CPU_CURRENT(%r9), %r8
        # mm/usercopy.ts user_msg_kva_cached(me, req_ptr)
        movq %rsi, %rax
        andq $-4096, %rax
        cmpq %rax, T_CHECKED_PAGE(%r8)
        jne reply_wait_general_preemptible
        movq unmaps(%rip), %r11
        cmpq %r11, T_CHECK_GEN(%r8)
        jne reply_wait_general_preemptible
        movq %rsi, %rax
        andq $4095, %rax
        cmpq $MSG_LAST_OFFSET, %rax
        ja reply_wait_general_preemptible
        addq T_CHECKED_KVA(%r8), %rax
        # ipc/port.ts ipc_reply_wait_user_port: the capability with the receive right, its port
        # ours, and we are not killed
        cmpq $PROC_MAX_CAPS, %rdi
        jae reply_wait_general_preemptible
        movq T_CAPS(%r8), %r10
        testq $CAP_RECEIVE, CAP_RIGHTS(%r10,%rdi,8)
        jz reply_wait_general_preemptible
        movq (%r10,%rdi,8), %rcx
        movzbl %cl, %r10d
        movq ports(,%r10,8), %r10
        testq %r10, %r10
        jz reply_wait_general_preemptible
        shrq $8, %rcx
        cmpq %rcx, PORT_SERIAL(%r10)
        jne reply_wait_general_preemptible
        movq T_PROC(%r8), %rcx          # our process: the holder of the reply right we answer
        movq PROC_PID(%rcx), %rdx
        cmpq %rdx, PORT_OWNER(%r10)
        jne 9f
        cmpb $0, T_KILLED(%r8)
        jne 9f
        # ipc/port.ts reply_target: the caller a = our reply_to is waiting for the reply to this
        # very call, its reply right is ours, its page may be written; inline data only; the port
        # has nothing queued
        movq T_REPLY_TO(%r8), %rdx
        testq %rdx, %rdx
        jz 9f
        testl $IPC_FLAG_CALL, MSG_FLAGS(%rax)
        jz 9f
        cmpq $0, MSG_BUFFER_SIZE(%rax)
        jne 9f
        cmpq $0, T_IPC_GEN(%rdx)
        je 1f
        cmpq %r11, T_IPC_GEN(%rdx)
        jne 9f
1:
        movq MSG_ID(%rax), %r11
        testq %r11, %r11
        jz 9f
        cmpq %r11, T_REPLY_MSG_ID(%rdx)
        jne 9f
        cmpq %rcx, T_REPLY_HOLDER(%rdx)
        jne 9f
        cmpl $0, PORT_COUNT(%r10)
        jne 9f
        cmpq $0, PORT_CALLERS_HEAD(%r10)
        jne 9f
        # sched/scheduler.ts sched_handoff: straight to a only if it ran here last and overtakes nobody
        cmpq %r9, T_CPU(%rdx)
        jne 7f
        movzbl T_PRIORITY(%rdx), %ecx
        cmpl $64, %ecx
        jae 8f
        movq CPU_RQ_BITS(%r9), %r11
        shrq %cl, %r11
        orq CPU_RQ_BITS+8(%r9), %r11
        jnz 7f
2:
        # ipc/port.ts ipc_reply_wait_user and reply_and_wait: the reply straight into a's
        # destination, then we wait on the port with our page as the destination (ipc_gen)
        movq %rsi, T_IPC_UPTR(%r8)
        movq unmaps(%rip), %rcx
        movq %rcx, T_IPC_GEN(%r8)
        movq T_REPLY_MSG_ID(%rdx), %rcx # the msg_id matched (the user's copy may change)
        movq $0, T_REPLY_MSG_ID(%rdx)
        movq $0, T_WAIT_RESULT(%rdx)
        movq T_IPC_DST(%rdx), %rdi      # deliver_direct
        movq T_TID(%r8), %rsi
        movq %rsi, (%rdi)
        movq %rcx, MSG_ID(%rdi)
        movl MSG_TYPE(%rax), %esi
        movl %esi, MSG_TYPE(%rdi)
        movl $0, MSG_FLAGS(%rdi)
        movq 24(%rax), %rsi             # the 64 inline bytes
        movq %rsi, 24(%rdi)
        movq 32(%rax), %rsi
        movq %rsi, 32(%rdi)
        movq 40(%rax), %rsi
        movq %rsi, 40(%rdi)
        movq 48(%rax), %rsi
        movq %rsi, 48(%rdi)
        movq 56(%rax), %rsi
        movq %rsi, 56(%rdi)
        movq 64(%rax), %rsi
        movq %rsi, 64(%rdi)
        movq 72(%rax), %rsi
        movq %rsi, 72(%rdi)
        movq 80(%rax), %rsi
        movq %rsi, 80(%rdi)
        movq $0, MSG_BUFFER_SIZE(%rdi)
        movq $0, MSG_CAP(%rdi)
        movq $0, T_IPC_DST(%rdx)
        addq $1, asm_fast_replies(%rip)
        movq %rax, T_IPC_DST(%r8)
        movl $THREAD_BLOCKED, T_STATE(%r8)
        leaq PORT_RECV_HEAD(%r10), %rcx # sched/scheduler.ts waitq_add(p.receivers, me)
        movq %rcx, T_WAITQ(%r8)
        movq $0, T_NEXT(%r8)
        movq PORT_RECV_TAIL(%r10), %rcx
        testq %rcx, %rcx
        jz 3f
        movq %r8, T_NEXT(%rcx)
        jmp 4f
3:
        movq %r8, PORT_RECV_HEAD(%r10)
4:
        movq %r8, PORT_RECV_TAIL(%r10)
        movq %r9, %rdi
        movq %rdx, %rsi
        call switch_to
        # Woken: ipc_reply_wait_user's and sys_ipc_reply_wait's end. The next message is in our
        # page (ipc_dst 0), or an error, or the general path staged it (staged_receive_out).
        movq %gs:CPU_CURRENT, %rcx
        movq $0, T_IPC_GEN(%rcx)
        movq T_WAIT_RESULT(%rcx), %rax
        testq %rax, %rax
        jnz 5f
        cmpq $0, T_IPC_DST(%rcx)
        jne 6f
5:
        ret
6:
        movq T_IPC_UPTR(%rcx), %rdi
        xorl %esi, %esi
        xorl %edx, %edx
        xorl %ecx, %ecx
        xorl %r8d, %r8d
        jmp staged_receive_out_preemptible
8:
        movq CPU_RQ_BITS+8(%r9), %r11   # a's level is 64 or above
        shrq %cl, %r11                  # shift counts are taken modulo 64
        testq %r11, %r11
        jz 2b
7:
        movq %rsi, %rdx                 # resp_ptr as it came (= req_ptr)
        jmp sys_ipc_reply_wait          # its fast path, which ends in handoff_general
9:
        movq %rsi, %rdx
        jmp reply_wait_general_preemptible
