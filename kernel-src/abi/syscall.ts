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
export const SYS_PORT_CREATE: u64 = 14; // a new port: its handle (send and receive rights)
export const SYS_CAP_DROP: u64 = 15; // empties a capability slot (handle)
export const SYS_CAP_REVOKE: u64 = 16; // (handle with the receive right, or CAP_SHM_OWNER) every other right to the port or object is void
// (handle with the receive right, req, resp): answer the call received in req with resp, then
// receive the next message into req, in one trap (kernel-src/ipc/port.ts ipc_reply_wait_user).
export const SYS_IPC_REPLY_WAIT: u64 = 17;
// 14..29: isolation (issue 8). 30..49: memory and files (issue 13); layouts and flags in abi/fs.ts.
export const SYS_OPEN: u64 = 30; // (path, len, flags) -> fd
export const SYS_CLOSE: u64 = 31; // (fd)
export const SYS_SEEK: u64 = 32; // (fd, offset, whence) -> new offset
export const SYS_STAT: u64 = 33; // (path, len, FsStat*)
export const SYS_READDIR: u64 = 34; // (fd, index, buf, len) -> name length, 0 past the end
export const SYS_SPAWN: u64 = 35; // (path, len, priority) -> pid
export const SYS_UNLINK: u64 = 36; // (path, len)
export const SYS_MMAP_FILE: u64 = 37; // (fd, offset, len, prot, MAP_SHARED or MAP_PRIVATE) -> address
export const SYS_FORK: u64 = 38; // () -> child's pid in the parent, 0 in the child (copy-on-write)
export const SYS_SHM_CREATE: u64 = 39; // (size) -> handle of a shared-memory object (all CAP_MAP_* rights, CAP_SHM_OWNER)
export const SYS_SHM_MAP: u64 = 40; // (handle, offset, len, prot) -> address of a shared mapping of the object
export const SYS_SHM_RESTRICT: u64 = 41; // (handle, rights) -> a new handle to the same object with only those rights
// 50..63: SMP and synchronization (issue 12).
export const SYS_FUTEX_WAIT: u64 = 50; // (addr, expected): sleep while the u32 at addr is expected
export const SYS_FUTEX_WAKE: u64 = 51; // (addr, n): wake up to n threads sleeping on addr
export const SYS_SCHED_SETAFFINITY: u64 = 52; // (mask): the calling thread may run only on the CPUs of mask (bit per id)
export const SYS_GETCPU: u64 = 53; // () -> the id of the CPU the caller runs on
export const NUM_SYSCALLS: u64 = 54;

// SYS_IPC_SEND flags (IPC_NONBLOCK = 1, from abi/ipc.ts, is shared with SYS_IPC_RECEIVE).
export const SEND_CALL: u64 = 2; // wait for the reply; it overwrites the message
export const SEND_REPLY: u64 = 4; // the message is a received call being answered
export const SEND_GRANT: u64 = 8; // pass the capability named by the message's cap (not with SEND_REPLY)
export const SEND_MAP: u64 = 16; // move the buffer by mapping when it is page aligned and at least IPC_MAP_MIN bytes (not with SEND_REPLY)

// SYS_MMAP protection bits.
export const PROT_READ: u64 = 1;
export const PROT_WRITE: u64 = 2;
export const PROT_EXEC: u64 = 4;

// SYS_MMAP_FILE sharing (exactly one).
export const MAP_SHARED: u64 = 1; // the file's own pages: writes reach the file and other mappings
export const MAP_PRIVATE: u64 = 2; // a private copy of each page, made at its first touch
