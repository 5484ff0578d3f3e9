// Condition variables, used with a sleeping Mutex (sched/mutex.ts): cond_wait releases the mutex
// and sleeps in one step (no wake-up can fall between them: both happen with interrupts off, and
// so under the kernel lock, docs/locking.md), then takes the mutex again before it returns.
// As everywhere, a waiter re-checks its condition in a loop: cond_wait may return on thread_kill.

import { WaitQueue } from "../sched/thread";
import {
  thread_block, waitq_wake_one, waitq_wake_all, waitq_insert_by_priority, sched_preempt_point,
} from "../sched/scheduler";
import { this_cpu } from "../sched/percpu";
import { Mutex, mutex_lock, mutex_unlock, mutex_held } from "../sched/mutex";
import { irq_save, irq_restore, irq_flags_enabled } from "../arch/hal";
import { panic } from "../lib/panic";

export class CondVar {
  waiters!: Inline<WaitQueue>;
}

/** Releases m (held by the caller), sleeps until signalled, takes m again. Returns the wake status. */
export function cond_wait(cv: CondVar, m: Mutex): i64 {
  let flags = irq_save();
  if (!irq_flags_enabled(flags)) panic(`cond_wait with interrupts off (it sleeps)`);
  if (!mutex_held(m)) panic(`cond_wait without holding the mutex`);
  waitq_insert_by_priority(cv.waiters, this_cpu().current);
  mutex_unlock(m); // interrupts stay off: no preemption between the unlock and the sleep
  let r = thread_block();
  irq_restore(flags);
  mutex_lock(m);
  return r;
}

/** Wakes the first waiter (highest priority), if any. */
export function cond_signal(cv: CondVar): void {
  let flags = irq_save();
  waitq_wake_one(cv.waiters, 0);
  irq_restore(flags);
  if (irq_flags_enabled(flags)) sched_preempt_point();
}

/** Wakes every waiter. */
export function cond_broadcast(cv: CondVar): void {
  let flags = irq_save();
  waitq_wake_all(cv.waiters, 0);
  irq_restore(flags);
  if (irq_flags_enabled(flags)) sched_preempt_point();
}
