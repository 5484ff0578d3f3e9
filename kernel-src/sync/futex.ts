// Futexes: the kernel half of user-space locks that make no system call when uncontended. A
// user lock lives in a u32 of the process's memory and is taken with an atomic instruction;
// only a thread that finds it taken calls SYS_FUTEX_WAIT(addr, value seen), which sleeps unless
// the u32 has changed meanwhile (the check and the sleep are one step: system calls run with
// interrupts off, so under the kernel lock, docs/locking.md). The releaser, having seen
// waiters, calls SYS_FUTEX_WAKE(addr, n). Sleepers are keyed by (process, address) and kept in
// BUCKETS hashed wait queues; a woken thread returns 0 (E_KILLED when killed) and re-checks the
// lock in user space. The user half is kernel-src/user/lib/futex.ts.

import { WaitQueue, thr } from "../sched/thread";
import { thread_block, thread_wake, waitq_add } from "../sched/scheduler";
import { this_cpu } from "../sched/percpu";
import { E_AGAIN } from "../abi/errors";
import { user_read_u32 } from "../mm/usercopy";

const BUCKETS: u64 = 64;
let queues!: InlineArray<u64, 128>; // BUCKETS WaitQueues (head, tail)
let waits: u64 = 0; // sleeps so far (tests: contention really went through the kernel)

function bucket(proc: u64, addr: u64): WaitQueue {
  let i = ((addr >> 2) ^ (proc >> 4)) & (BUCKETS - 1);
  return changetype<WaitQueue>(addr_of(queues) + i * 16);
}

/**
 * Sleeps on (proc, addr) if the u32 at addr (a checked, present user address of the current
 * space) still equals expected; interrupts off. 0 when woken, E_AGAIN if the value differed.
 */
export function futex_wait(proc: u64, addr: u64, expected: u32): i64 {
  if (user_read_u32(addr) != expected) return E_AGAIN; // SMAP: through mm/usercopy.ts
  let me = this_cpu().current;
  waits++;
  thr(me).futex_addr = addr;
  waitq_add(bucket(proc, addr), me);
  let r = thread_block();
  thr(me).futex_addr = 0;
  return r;
}

/** Wakes up to n threads sleeping on (proc, addr), first come first; returns how many. */
export function futex_wake(proc: u64, addr: u64, n: u64): u64 {
  let q = bucket(proc, addr);
  let woken: u64 = 0;
  let x = q.head;
  while (x != 0 && woken < n) {
    let next = thr(x).next;
    if (thr(x).proc == proc && thr(x).futex_addr == addr) {
      thread_wake(x, 0);
      woken++;
    }
    x = next;
  }
  return woken;
}

/** How many times a thread has slept in futex_wait. */
export function futex_waits(): u64 {
  return waits;
}
