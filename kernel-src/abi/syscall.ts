// The kernel/user ABI: system-call numbers and their flag words.
// Convention (the seed's): rax = number, rdi rsi rdx r10 r8 = arguments, rax = result (a
// negative result is an E_* code from abi/errors.ts). arch/x86_64/syscall.S has NUM_SYSCALLS too.

export const SYS_EXIT: u64 = 0;
export const SYS_WRITE: u64 = 1;
export const SYS_READ: u64 = 2;
export const SYS_SLEEP: u64 = 5;
export const SYS_YIELD: u64 = 6;
export const SYS_THREAD_CREATE: u64 = 7;
export const SYS_THREAD_EXIT: u64 = 8;
export const SYS_IPC_SEND: u64 = 9;
export const SYS_IPC_RECEIVE: u64 = 10;
export const SYS_MMAP: u64 = 11;
export const SYS_MUNMAP: u64 = 12;
export const SYS_GETTID: u64 = 13; // beyond the seed: the caller's tid (the null call benchmarks time)
export const NUM_SYSCALLS: u64 = 14;

// SYS_IPC_SEND flags (IPC_NONBLOCK = 1, from abi/ipc.ts, is shared with SYS_IPC_RECEIVE).
export const SEND_CALL: u64 = 2; // wait for the reply; it overwrites the message
export const SEND_REPLY: u64 = 4; // the message is a received call being answered

// SYS_MMAP protection bits.
export const PROT_READ: u64 = 1;
export const PROT_WRITE: u64 = 2;
export const PROT_EXEC: u64 = 4;
