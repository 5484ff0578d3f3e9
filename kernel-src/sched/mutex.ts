// Sleeping mutexes: a lock a thread may hold across blocking and preemption, for state that
// system calls change with interrupts on (an address space's mappings, see proc/process.ts).
//
// Rules (checked): a mutex is locked only by a thread with interrupts on -- never in an interrupt
// handler or an irq_save section, where sleeping would deadlock or switch away from a critical
// section -- and unlocked only by its owner. It is not recursive.
// The state (owner, wait queue) is changed only inside irq_save sections (one CPU), so it is
// consistent whenever a thread can look at it.
// Wake order: waiters queue by priority, highest first, FIFO within a priority. unlock frees the
// mutex and wakes the first waiter, which then takes it (it is not handed over: a waiter woken by
// something else -- thread_kill's E_KILLED -- simply queues again, so a mutex wait is never cut
// short). A running thread may take a free mutex before the woken waiter gets the CPU (barging);
// the woken waiter then queues again at its place. No priority inheritance: holders must not block
// for long on anything but other mutexes and memory.

import { WaitQueue, thr } from "./thread";
import { thread_block, waitq_wake_one, waitq_insert_by_priority, sched_preempt_point } from "./scheduler";
import { this_cpu } from "./percpu";
import { irq_save, irq_restore, irq_flags_enabled } from "../arch/hal";
import { panic } from "../lib/panic";

export class Mutex {
  owner: u64 = 0; // Thread address of the holder, 0 when free
  waiters!: Inline<WaitQueue>;
}

/** Panics unless the caller may sleep: interrupts on, so not an IRQ handler or critical section. */
function assert_may_sleep(flags: u64, what: string): void {
  if (!irq_flags_enabled(flags)) panic(`${what} with interrupts off (an IRQ handler or irq_save section)`);
}

export function mutex_lock(m: Mutex): void {
  let flags = irq_save();
  assert_may_sleep(flags, "mutex_lock");
  let me = this_cpu().current;
  if (me == this_cpu().idle) panic(`mutex_lock from the idle thread`);
  if (m.owner == me) panic(`mutex_lock: already held by this thread`);
  while (m.owner != 0) {
    waitq_insert_by_priority(m.waiters, me);
    thread_block(); // woken by mutex_unlock, or by thread_kill: either way, look again
  }
  m.owner = me;
  irq_restore(flags);
}

/** Takes m if it is free; never sleeps (so it is allowed with interrupts off). */
export function mutex_try_lock(m: Mutex): bool {
  let flags = irq_save();
  let me = this_cpu().current;
  let ok = m.owner == 0;
  if (ok) m.owner = me;
  irq_restore(flags);
  return ok;
}

export function mutex_unlock(m: Mutex): void {
  let flags = irq_save();
  if (m.owner != this_cpu().current) panic(`mutex_unlock by a thread that does not hold it`);
  m.owner = 0;
  waitq_wake_one(m.waiters, 0);
  irq_restore(flags);
  if (irq_flags_enabled(flags)) sched_preempt_point(); // a higher-priority waiter runs now
}

/** True when the calling thread holds m. */
export function mutex_held(m: Mutex): bool {
  return m.owner == this_cpu().current;
}

/** Free and nobody waiting (what tearing down the object that holds it needs). */
export function mutex_idle(m: Mutex): bool {
  return m.owner == 0 && m.waiters.head == 0;
}

/** The holder's tid, 0 when free (for tests and diagnostics). */
export function mutex_owner_tid(m: Mutex): u64 {
  return m.owner == 0 ? 0 : thr(m.owner).tid;
}
