// The kernel/user ABI: what one process may hold (kernel-src/proc/quota.ts enforces it) and the
// priorities its threads may take. Going over a limit gives E_NOMEM, as running out of memory
// does: to the process the two are the same thing. See docs/isolation.md.

/** Threads of one process, its first included. */
export const PROC_MAX_THREADS: u64 = 64;
/** Bytes of out-of-line IPC data a process's sends may hold in the kernel at once (queued or in flight). */
export const PROC_MAX_QUEUED_BYTES: u64 = 1024 * 1024;
/**
 * Pages (4 KiB) one process may have mapped at once (mmap, file and shared-memory mappings, mapped
 * IPC buffers, thread stacks; not its ELF image) plus the pages of the shared-memory objects it
 * made that are alive: 80 MiB.
 */
export const PROC_MAX_PAGES: u64 = 20480;
/** Ports one process may own (its first included). */
export const PROC_MAX_PORTS: u64 = 8;
/** Capability slots of one process, slot 0 unused (kernel-src/ipc/cap.ts). */
export const PROC_MAX_CAPS: u64 = 64;
/** User threads run at priorities USER_PRIORITY_MIN..USER_PRIORITY_MAX, below every kernel thread. */
export const USER_PRIORITY_MIN: u64 = 1;
export const USER_PRIORITY_MAX: u64 = 63;
