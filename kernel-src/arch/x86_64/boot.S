# Multiboot v1 entry: 32-bit protected mode -> 64-bit long mode -> kernel_main(magic, mbi_phys).
#
# The bootloader (QEMU -kernel or GRUB) enters `_start` in 32-bit protected mode with paging off,
# EAX = 0x2BADB002 and EBX = the physical address of the multiboot information. The linker puts the
# multiboot header in front of this section and links `.boot` at its physical address (VMA = LMA),
# because it runs before paging; everything else is linked in the higher half.
#
# Boot page tables (2 MiB pages, all of the first 1 GiB, mapped three times):
#   0x0000000000000000 -> 0 (identity: this code keeps running after paging is on)
#   0xFFFF800000000000 -> 0 (the direct map of physical memory)
#   0xFFFFFFFF80000000 -> 0 (the kernel image, linked there)
# The kernel's VMM replaces them with 4 KiB-granular tables with proper permissions.
# The tables live in `.boot` itself so that the 32-bit code can use their addresses as they are.

        .set MULTIBOOT_MAGIC,   0x2BADB002
        .set COM1,              0x3f8
        .set EFER,              0xC0000080
        .set EFER_LME,          1 << 8
        .set EFER_NXE,          1 << 11
        .set CR0_PE,            1 << 0
        .set CR0_WP,            1 << 16
        .set CR0_PG,            1 << 31
        .set CR4_PAE,           1 << 5
        .set PTE_PRESENT_RW,    0x3
        .set PDE_LARGE,         0x83            # present, writable, 2 MiB page
        .set BOOT_STACK_SIZE,   65536

        .section .boot, "ax"
        .code32
        .globl _start
_start:
        cli
        cld
        cmpl $MULTIBOOT_MAGIC, %eax
        jne bad_magic
        movl %eax, %edi                 # kernel_main's first argument: the magic
        movl %ebx, %esi                 # second argument: multiboot info, physical

        # Long mode needs CPUID leaf 0x80000001 with the LM bit (EDX bit 29).
        movl $0x80000000, %eax
        cpuid
        cmpl $0x80000001, %eax
        jb no_long_mode
        movl $0x80000001, %eax
        cpuid
        btl $29, %edx
        jnc no_long_mode
        movl %edx, %ebp                 # keep the feature bits: NX is bit 20

        # One page directory of 2 MiB pages covering 0..1 GiB, shared by the three mappings.
        movl $boot_pd, %ebx
        xorl %ecx, %ecx
1:      movl %ecx, %eax
        shll $21, %eax
        orl $PDE_LARGE, %eax
        movl %eax, (%ebx,%ecx,8)
        movl $0, 4(%ebx,%ecx,8)
        incl %ecx
        cmpl $512, %ecx
        jne 1b

        movl $boot_pd + PTE_PRESENT_RW, %eax
        movl %eax, boot_pdpt_low                # pdpt_low[0]:    0 .. 1 GiB
        movl %eax, boot_pdpt_high + 510 * 8     # pdpt_high[510]: 0xFFFFFFFF80000000
        movl $boot_pdpt_low + PTE_PRESENT_RW, %eax
        movl %eax, boot_pml4                    # pml4[0]:   identity
        movl %eax, boot_pml4 + 256 * 8          # pml4[256]: 0xFFFF800000000000
        movl $boot_pdpt_high + PTE_PRESENT_RW, %eax
        movl %eax, boot_pml4 + 511 * 8          # pml4[511]: 0xFFFFFFFF80000000

        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $boot_pml4, %eax
        movl %eax, %cr3

        movl $EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        btl $20, %ebp                   # NX supported? Then enable it for the kernel's page tables.
        jnc 2f
        orl $EFER_NXE, %eax
2:      wrmsr

        movl %cr0, %eax
        orl $CR0_PG | CR0_WP | CR0_PE, %eax
        movl %eax, %cr0

        lgdt boot_gdt_ptr
        ljmp $0x08, $long_mode

bad_magic:
        movl $msg_bad_magic, %esi
        jmp die
no_long_mode:
        movl $msg_no_long_mode, %esi
die:    movw $COM1, %dx
3:      lodsb
        testb %al, %al
        jz 4f
        outb %al, %dx
        jmp 3b
4:      cli
        hlt
        jmp 4b

        .code64
long_mode:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorl %eax, %eax
        movw %ax, %fs
        movw %ax, %gs
        movabsq $boot_stack_top, %rsp
        xorl %ebp, %ebp                 # the end of every backtrace
        movabsq $kernel_main, %rax
        callq *%rax
5:      cli
        hlt
        jmp 5b

msg_bad_magic:
        .asciz "[PANIC] boot: not loaded by a multiboot loader (bad magic in EAX)\n"
msg_no_long_mode:
        .asciz "[PANIC] boot: this CPU has no 64-bit long mode\n"

        .balign 8
boot_gdt:
        .quad 0                         # null
        .quad 0x00AF9A000000FFFF        # 0x08: 64-bit kernel code
        .quad 0x00CF92000000FFFF        # 0x10: kernel data
boot_gdt_ptr:
        .word boot_gdt_ptr - boot_gdt - 1
        .long boot_gdt

        .balign 4096
boot_pml4:      .zero 4096
boot_pdpt_low:  .zero 4096
boot_pdpt_high: .zero 4096
boot_pd:        .zero 4096

        .section .bss
        .balign 16
boot_stack:
        .skip BOOT_STACK_SIZE
        .globl boot_stack_top
boot_stack_top:
