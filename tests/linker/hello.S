# Static Linux hello world: write(1, msg, len) then exit(7), through raw system calls.
        .text
        .globl _start
        .type _start, @function
_start:
        movl $1, %eax            # write
        movl $1, %edi
        leaq msg(%rip), %rsi
        movq msg_len(%rip), %rdx
        syscall
        movl $60, %eax           # exit
        movl exit_code(%rip), %edi
        syscall
        .size _start, . - _start

        .section .rodata
msg:    .ascii "hello from the linker\n"
msg_end:
        .data
msg_len: .quad msg_end - msg
exit_code: .long 7
        .bss
scratch: .zero 64
