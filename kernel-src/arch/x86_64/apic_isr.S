# Entry stubs for the local APIC's own vectors (see lapic.ts): the APIC timer (48), the
# reschedule IPI (49), the TLB-shootdown IPI (50), the call IPI (51) and the spurious vector (0xef). Each leaves the
# stack in isr_common's shape (error code 0, then the vector) like the stubs in isr.S.

        .text

        .globl isr_apic_timer
isr_apic_timer:
        pushq $0
        pushq $48
        jmp isr_common

        .globl isr_apic_reschedule
isr_apic_reschedule:
        pushq $0
        pushq $49
        jmp isr_common

        .globl isr_apic_tlb
isr_apic_tlb:
        pushq $0
        pushq $50
        jmp isr_common

        .globl isr_apic_call
isr_apic_call:
        pushq $0
        pushq $51
        jmp isr_common

        .globl isr_apic_spurious
isr_apic_spurious:
        pushq $0
        pushq $239
        jmp isr_common
