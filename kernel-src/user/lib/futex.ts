// A user-space mutex on a futex (Drepper, "Futexes Are Tricky", mutex 2): the u32 is 0 (free),
// 1 (taken, nobody waits) or 2 (taken, maybe waiters). Uncontended, lock is one cmpxchg and unlock
// one atomic add: no system call. Only contention sleeps in the kernel (sync/futex.ts).

import { SYS_FUTEX_WAIT, SYS_FUTEX_WAKE } from "../../abi/syscall";

export function futex_wait(addr: usize, expected: u32): i64 {
  return syscall(SYS_FUTEX_WAIT, addr, u64(expected));
}

export function futex_wake(addr: usize, n: u64): i64 {
  return syscall(SYS_FUTEX_WAKE, addr, n);
}

/** Takes the mutex at addr (a u32). */
export function umutex_lock(addr: usize): void {
  let c = atomic_cmpxchg<u32>(addr, 0, 1);
  if (c == 0) return;
  if (c != 2) c = atomic_xchg<u32>(addr, 2);
  while (c != 0) {
    futex_wait(addr, 2);
    c = atomic_xchg<u32>(addr, 2);
  }
}

export function umutex_unlock(addr: usize): void {
  if (atomic_fetch_add<u32>(addr, 0xffffffff) != 1) {
    atomic_store<u32>(addr, 0);
    futex_wake(addr, 1);
  }
}
