// Reader-writer locks for threads: any number of readers or one writer. Writers are preferred: a
// reader waits while a writer holds the lock or waits for it, so a stream of readers cannot
// starve a writer. Sleeping lock (interrupts on to take it); state changes in irq_save sections
// (under the kernel lock with several CPUs, docs/locking.md). Unlocking wakes the next writer if one waits,
// otherwise every waiting reader; a woken thread re-checks (thread_kill may have woken it).

import { WaitQueue } from "../sched/thread";
import {
  thread_block, waitq_wake_one, waitq_wake_all, waitq_insert_by_priority, sched_preempt_point,
} from "../sched/scheduler";
import { this_cpu } from "../sched/percpu";
import { irq_save, irq_restore, irq_flags_enabled } from "../arch/hal";
import { panic } from "../lib/panic";

export class RwLock {
  readers: u64 = 0; // readers holding it
  writer: u64 = 0; // the Thread holding it for writing, 0 if none
  writers_waiting: u64 = 0;
  read_waiters!: Inline<WaitQueue>;
  write_waiters!: Inline<WaitQueue>;
}

function may_sleep(flags: u64, what: string): void {
  if (!irq_flags_enabled(flags)) panic(`${what} with interrupts off (it may sleep)`);
}

export function rw_read_lock(l: RwLock): void {
  let flags = irq_save();
  may_sleep(flags, "rw_read_lock");
  while (l.writer != 0 || l.writers_waiting > 0) {
    waitq_insert_by_priority(l.read_waiters, this_cpu().current);
    thread_block();
  }
  l.readers++;
  irq_restore(flags);
}

export function rw_read_unlock(l: RwLock): void {
  let flags = irq_save();
  if (l.readers == 0) panic(`rw_read_unlock without readers`);
  l.readers--;
  if (l.readers == 0) waitq_wake_one(l.write_waiters, 0);
  irq_restore(flags);
  if (irq_flags_enabled(flags)) sched_preempt_point();
}

export function rw_write_lock(l: RwLock): void {
  let flags = irq_save();
  may_sleep(flags, "rw_write_lock");
  let me = this_cpu().current;
  if (l.writer == me) panic(`rw_write_lock: already held by this thread`);
  l.writers_waiting++;
  while (l.writer != 0 || l.readers > 0) {
    waitq_insert_by_priority(l.write_waiters, me);
    thread_block();
  }
  l.writers_waiting--;
  l.writer = me;
  irq_restore(flags);
}

export function rw_write_unlock(l: RwLock): void {
  let flags = irq_save();
  if (l.writer != this_cpu().current) panic(`rw_write_unlock by a thread that does not hold it`);
  l.writer = 0;
  if (l.write_waiters.head != 0) waitq_wake_one(l.write_waiters, 0);
  else waitq_wake_all(l.read_waiters, 0);
  irq_restore(flags);
  if (irq_flags_enabled(flags)) sched_preempt_point();
}
