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
// the woken waiter then queues again at its place.
// Priority inheritance: a thread that blocks on a mutex lends its priority to the holder (and on
// along the chain, when the holder itself waits for another mutex), so a low-priority holder
// cannot be held off by medium-priority threads while a high-priority one waits (the classic
// inversion). On unlock the holder drops back to the highest of its base priority and the first
// waiters of the mutexes it still holds.

import { WaitQueue, thr } from "./thread";
import {
  thread_block, waitq_wake_one, waitq_insert_by_priority, waitq_remove, sched_preempt_point,
  sched_set_effective_priority,
} from "./scheduler";
import { this_cpu } from "./percpu";
import { irq_save, irq_restore, irq_flags_enabled } from "../arch/hal";
import { panic } from "../lib/panic";

export class Mutex {
  owner: u64 = 0; // Thread address of the holder, 0 when free
  waiters!: Inline<WaitQueue>;
  next_held: u64 = 0; // the next Mutex its owner holds
}

/** How far a priority is lent along a chain of holders waiting for other mutexes. */
const MAX_CHAIN: i32 = 16;

/** The waiter `me` lends its priority to m's holder, and on down the chain of blocked holders. */
function lend_priority(m: Mutex, me: u64): void {
  let p = thr(me).priority;
  let o = m.owner;
  for (let depth: i32 = 0; depth < MAX_CHAIN && o != 0 && thr(o).priority < p; depth++) {
    sched_set_effective_priority(thr(o), p);
    let next = thr(o).blocked_on;
    if (next == 0) break;
    let nm = changetype<Mutex>(next);
    waitq_remove(nm.waiters, o); // its place in that queue follows its new priority
    waitq_insert_by_priority(nm.waiters, o);
    o = nm.owner;
  }
}

function held_add(me: u64, m: Mutex): void {
  m.next_held = thr(me).held_mutexes;
  thr(me).held_mutexes = changetype<u64>(m);
}

function held_remove(me: u64, m: Mutex): void {
  let a = changetype<u64>(m);
  let prev: u64 = 0;
  let x = thr(me).held_mutexes;
  while (x != 0 && x != a) {
    prev = x;
    x = changetype<Mutex>(x).next_held;
  }
  if (x == 0) return;
  if (prev == 0) thr(me).held_mutexes = m.next_held;
  else changetype<Mutex>(prev).next_held = m.next_held;
  m.next_held = 0;
}

/** me's priority without what m's waiters lent: its base, or the best first waiter of what it still holds. */
function own_priority(me: u64): u8 {
  let p = thr(me).base_priority;
  for (let x = thr(me).held_mutexes; x != 0; x = changetype<Mutex>(x).next_held) {
    let w = changetype<Mutex>(x).waiters.head;
    if (w != 0 && thr(w).priority > p) p = thr(w).priority;
  }
  return p;
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
    thr(me).blocked_on = changetype<u64>(m);
    lend_priority(m, me);
    thread_block(); // woken by mutex_unlock, or by thread_kill: either way, look again
  }
  thr(me).blocked_on = 0;
  m.owner = me;
  held_add(me, m);
  irq_restore(flags);
}

/** Takes m if it is free; never sleeps (so it is allowed with interrupts off). */
export function mutex_try_lock(m: Mutex): bool {
  let flags = irq_save();
  let me = this_cpu().current;
  let ok = m.owner == 0;
  if (ok) {
    m.owner = me;
    held_add(me, m);
  }
  irq_restore(flags);
  return ok;
}

export function mutex_unlock(m: Mutex): void {
  let flags = irq_save();
  if (m.owner != this_cpu().current) panic(`mutex_unlock by a thread that does not hold it`);
  let me = m.owner;
  m.owner = 0;
  held_remove(me, m);
  sched_set_effective_priority(thr(me), own_priority(me)); // what m's waiters lent goes back
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
