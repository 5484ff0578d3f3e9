// Counting semaphores for threads: sem_down takes one unit, sleeping while there is none; sem_up
// returns one and wakes the first waiter (highest priority first, FIFO within one).
// Like the mutex (sched/mutex.ts): state changes inside irq_save sections (under the kernel lock with
// several CPUs, docs/locking.md); a woken waiter takes its unit when it runs, and one woken for another
// reason (thread_kill) looks again, so a wait is never cut short; down may sleep, so it needs
// interrupts on; up never sleeps and is allowed anywhere, interrupt handlers included.

import { WaitQueue } from "../sched/thread";
import { thread_block, waitq_wake_one, waitq_insert_by_priority, sched_preempt_point } from "../sched/scheduler";
import { this_cpu } from "../sched/percpu";
import { irq_save, irq_restore, irq_flags_enabled } from "../arch/hal";
import { panic } from "../lib/panic";

export class Semaphore {
  count: u64 = 0;
  waiters!: Inline<WaitQueue>;
}

export function sem_init(s: Semaphore, count: u64): void {
  s.count = count;
}

export function sem_down(s: Semaphore): void {
  let flags = irq_save();
  if (!irq_flags_enabled(flags)) panic(`sem_down with interrupts off (it may sleep)`);
  while (s.count == 0) {
    waitq_insert_by_priority(s.waiters, this_cpu().current);
    thread_block();
  }
  s.count--;
  irq_restore(flags);
}

/** Takes a unit if there is one; never sleeps. */
export function sem_try_down(s: Semaphore): bool {
  let flags = irq_save();
  let ok = s.count > 0;
  if (ok) s.count--;
  irq_restore(flags);
  return ok;
}

export function sem_up(s: Semaphore): void {
  let flags = irq_save();
  s.count++;
  waitq_wake_one(s.waiters, 0);
  irq_restore(flags);
  if (irq_flags_enabled(flags)) sched_preempt_point(); // a higher-priority waiter runs now
}

export function sem_count(s: Semaphore): u64 {
  return s.count;
}
