# Linux user-mode runtime: the process entry and the two services a program needs to talk to the
# outside world, write and exit, as raw system calls (no libc).
#
# A program built for the linux target exports `main(): void`; `_start` calls it and exits 0.
# From TypeScript:  declare function rt_write(addr: usize, len: usize): void;
#                   declare function rt_exit(code: i32): void;

        .text

        .globl _start
_start:
        xor %ebp, %ebp              # outermost frame: backtraces stop at rbp = 0
        and $-16, %rsp              # System V: rsp is 16-byte aligned at every call
        call main
        xor %edi, %edi
        mov $231, %eax              # exit_group(0)
        syscall
        hlt                         # not reached

# rt_write(addr = rdi, len = rsi): write(1, addr, len), looping on partial writes and retrying on
# EINTR. On any other error (or no progress) it gives up and returns: there is nobody to tell.
        .globl rt_write
rt_write:
        push %rbp
        mov %rsp, %rbp
        mov %rsi, %rdx              # rdx = bytes left
        mov %rdi, %rsi              # rsi = next byte to write
1:      test %rdx, %rdx
        jz 3f
        mov $1, %edi                # fd 1 (stdout)
        mov $1, %eax                # write
        syscall                     # clobbers rcx and r11 (caller-saved anyway)
        cmp $-4, %rax               # -EINTR: try again
        je 1b
        test %rax, %rax
        jle 3f                      # error or zero bytes written: give up
        add %rax, %rsi
        sub %rax, %rdx
        jmp 1b
3:      pop %rbp
        ret

# rt_exit(code = edi): exit_group(code). Does not return.
        .globl rt_exit
rt_exit:
        mov $231, %eax
        syscall
        hlt
