# The application processors' way from real mode to long mode (the SMP trampoline).
#
# smp.ts copies ap_trampoline..ap_trampoline_end to physical 0x8000 and maps that page at the
# same virtual address in the kernel's page tables, fills in the four parameters at its end, and
# sends the AP INIT, STARTUP(0x08). The AP starts at 0x0800:0000 in real mode: it loads the
# trampoline's GDT, enters protected mode, turns on PAE, the kernel's CR3, long mode and NX,
# enables paging, jumps to 64-bit code and calls ap_entry(ap_arg) on ap_stack (the addresses
# of both in the higher half). Every address below is ABS(label) = 0x8000 + (label - start):
# the code runs at the copy, not where it is linked.
# Our assembler has no .code16: the real-mode part is spelled out in bytes.

        .set TRAMPOLINE,        0x8000
        .set EFER,              0xC0000080
        .set EFER_LME_NXE,      (1 << 8) | (1 << 11)
        .set CR0_PE_PG_WP,      (1 << 0) | (1 << 31) | (1 << 16)
        .set CR4_PAE,           1 << 5

        .section .rodata                        # never run here: smp.ts copies it to 0x8000
        .balign 16
        .globl ap_trampoline
ap_trampoline:
        # --- 16-bit real mode, CS = 0x0800, IP = 0 ---
        .byte 0xfa                              # cli
        .byte 0x31, 0xc0                        # xor %ax, %ax
        .byte 0x8e, 0xd8                        # mov %ax, %ds
        .byte 0x66, 0x0f, 0x01, 0x16            # lgdtl (disp16): the 32-bit base form
        .word TRAMPOLINE + ap_gdt_ptr - ap_trampoline
        .byte 0x0f, 0x20, 0xc0                  # mov %cr0, %eax
        .byte 0x0c, 0x01                        # or $1, %al (PE)
        .byte 0x0f, 0x22, 0xc0                  # mov %eax, %cr0
        .byte 0x66, 0xea                        # ljmpl $0x08, $ap_protected
        .long TRAMPOLINE + ap_protected - ap_trampoline
        .word 0x08

        .code32
ap_protected:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl TRAMPOLINE + ap_cr3 - ap_trampoline, %eax
        movl %eax, %cr3
        movl $EFER, %ecx
        rdmsr
        orl $EFER_LME_NXE, %eax
        wrmsr
        movl %cr0, %eax
        orl $CR0_PE_PG_WP, %eax
        movl %eax, %cr0
        ljmp $0x18, $TRAMPOLINE + ap_long - ap_trampoline

        .code64
ap_long:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movq TRAMPOLINE + ap_stack - ap_trampoline, %rsp
        movq TRAMPOLINE + ap_arg - ap_trampoline, %rdi
        movq TRAMPOLINE + ap_entry - ap_trampoline, %rax
        xorl %ebp, %ebp                         # the end of every backtrace
        callq *%rax
1:      cli
        hlt
        jmp 1b

        .balign 8
ap_gdt:
        .quad 0                                 # null
        .quad 0x00CF9A000000FFFF                # 0x08: 32-bit code
        .quad 0x00CF92000000FFFF                # 0x10: data
        .quad 0x00AF9A000000FFFF                # 0x18: 64-bit code
ap_gdt_ptr:
        .word ap_gdt_ptr - ap_gdt - 1
        .long TRAMPOLINE + ap_gdt - ap_trampoline

# Parameters, written by smp.ts before each STARTUP (offsets from ap_trampoline: ap_params).
        .balign 8
        .globl ap_params
ap_params:
ap_cr3:         .quad 0                         # +0: the kernel's PML4 (below 4 GiB)
ap_stack:       .quad 0                         # +8: the AP's first stack top
ap_entry:       .quad 0                         # +16: ap_entry
ap_arg:         .quad 0                         # +24: its argument
        .globl ap_trampoline_end
ap_trampoline_end:
