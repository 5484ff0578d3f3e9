// Self-tests of the thread synchronization primitives in sync/: counting semaphores (a bounded
// buffer between two threads), condition variables (signal wakes one, broadcast all), (readers share, a writer excludes them and is not starved).
// reader-writer locks (readers share, a writer excludes them and is not starved), and the
// mutex's priority inheritance (the classic inversion: low holds, high waits, medium spins).
// Workers run at priority 10, below the ktest thread (64): they run while it sleeps.

import { check, check_eq, pin_here, unpin } from "./ktest";
import { thread_create, thread_sleep, thread_current, thread_count } from "../sched/scheduler";
import { clock_now_ns } from "../time/clock";
import { futex_waits } from "../sync/futex";
import { kprint } from "../lib/log";
import { proc_spawn_path, proc_wait } from "../proc/process";
import { kmalloc_live_objects } from "../mm/kmalloc";
import { irq_save, irq_restore } from "../arch/hal";

import { Mutex, mutex_lock, mutex_unlock } from "../sched/mutex";
import { Semaphore, sem_init, sem_down, sem_up, sem_try_down, sem_count } from "../sync/semaphore";
import { CondVar, cond_wait, cond_signal, cond_broadcast } from "../sync/condvar";
import { RwLock, rw_read_lock, rw_read_unlock, rw_write_lock, rw_write_unlock } from "../sync/rwlock";

const WORKER_PRIORITY: u8 = 10;
let done: u64 = 0;

/** One more worker done: atomic, workers on several CPUs may finish at once. */
function finished(): void {
  atomic_fetch_add<u64>(addr_of(done), 1);
}

function wait_done(n: u64, ms: u64): bool {
  for (let waited: u64 = 0; waited < ms; waited += 10) {
    if (volatile_load<u64>(addr_of(done)) >= n) return true;
    thread_sleep(10);
  }
  return volatile_load<u64>(addr_of(done)) >= n;
}

// ---- semaphores: a bounded buffer of 4 slots, 500 items in order ----
const ITEMS: u64 = 500;
let slots_free!: Inline<Semaphore>;
let slots_full!: Inline<Semaphore>;
let buf_lock!: Inline<Mutex>;
let ring!: InlineArray<u64, 4>;
let ring_in: u64 = 0;
let ring_out: u64 = 0;
let consumed_sum: u64 = 0;
let out_of_order: u64 = 0;

function producer(arg: u64): void {
  for (let i: u64 = 1; i <= ITEMS; i++) {
    sem_down(slots_free);
    mutex_lock(buf_lock);
    ring[ring_in & 3] = i;
    ring_in++;
    mutex_unlock(buf_lock);
    sem_up(slots_full);
  }
  finished();
}

function consumer(arg: u64): void {
  for (let i: u64 = 1; i <= ITEMS; i++) {
    sem_down(slots_full);
    mutex_lock(buf_lock);
    let v = ring[ring_out & 3];
    ring_out++;
    mutex_unlock(buf_lock);
    sem_up(slots_free);
    if (v != i) out_of_order++;
    consumed_sum += v;
  }
  finished();
}

export function test_semaphore_bounded_buffer(): bool {
  done = 0;
  sem_init(slots_free, 4);
  sem_init(slots_full, 0);
  ring_in = 0;
  ring_out = 0;
  consumed_sum = 0;
  out_of_order = 0;
  thread_create(consumer, 0, WORKER_PRIORITY, "consumer");
  thread_create(producer, 0, WORKER_PRIORITY, "producer");
  let ok = check(wait_done(2, 5000), "producer and consumer finished");
  ok = check_eq(consumed_sum, ITEMS * (ITEMS + 1) / 2, "every item consumed once") && ok;
  ok = check_eq(out_of_order, 0, "items consumed in order") && ok;
  ok = check_eq(sem_count(slots_free), 4, "all slots free at the end") && ok;
  ok = check_eq(sem_count(slots_full), 0, "no full slot left") && ok;
  ok = check(!sem_try_down(slots_full) && sem_try_down(slots_free), "try_down takes only what there is") && ok;
  sem_up(slots_free);
  return ok;
}

// ---- condition variables ----
let cv_lock!: Inline<Mutex>;
let cv!: Inline<CondVar>;
let tokens: u64 = 0;
let go: bool = false;

function token_waiter(arg: u64): void {
  mutex_lock(cv_lock);
  while (tokens == 0) cond_wait(cv, cv_lock);
  tokens--;
  mutex_unlock(cv_lock);
  finished();
}

function go_waiter(arg: u64): void {
  mutex_lock(cv_lock);
  while (!go) cond_wait(cv, cv_lock);
  mutex_unlock(cv_lock);
  finished();
}

export function test_condvar_signal_broadcast(): bool {
  done = 0;
  tokens = 0;
  for (let i: i32 = 0; i < 2; i++) thread_create(token_waiter, 0, WORKER_PRIORITY, "cv_token");
  thread_sleep(20); // both wait
  let ok = check_eq(volatile_load<u64>(addr_of(done)), 0, "nobody passes without a token");
  mutex_lock(cv_lock);
  tokens = 1;
  cond_signal(cv);
  mutex_unlock(cv_lock);
  ok = check(wait_done(1, 1000), "a signal lets a waiter through") && ok;
  thread_sleep(20); // had the signal woken both, the second would be through by now
  ok = check_eq(volatile_load<u64>(addr_of(done)), 1, "one signal lets exactly one waiter through") && ok;
  mutex_lock(cv_lock);
  tokens = 1;
  cond_signal(cv);
  mutex_unlock(cv_lock);
  ok = check(wait_done(2, 1000), "the second signal lets the other through") && ok;

  done = 0;
  go = false;
  for (let i: i32 = 0; i < 3; i++) thread_create(go_waiter, 0, WORKER_PRIORITY, "cv_go");
  thread_sleep(20);
  ok = check_eq(volatile_load<u64>(addr_of(done)), 0, "nobody passes before the broadcast") && ok;
  mutex_lock(cv_lock);
  go = true;
  cond_broadcast(cv);
  mutex_unlock(cv_lock);
  ok = check(wait_done(3, 1000), "broadcast wakes all three") && ok;
  return ok;
}

// ---- reader-writer locks ----
let rw!: Inline<RwLock>;
let active_readers: u64 = 0;
let max_readers: u64 = 0;
let writer_active: bool = false;
let violations: u64 = 0;
let order!: InlineArray<u64, 8>;
let order_len: u64 = 0;

function record(v: u64): void {
  if (order_len < 8) order[order_len] = v;
  order_len++;
}

// The bookkeeping below is under the kernel lock (irq_save): readers that share the rwlock run
// on several CPUs at once, and a lost increment would hide an overlap.
function reader(arg: u64): void {
  rw_read_lock(rw);
  let flags = irq_save();
  if (writer_active) violations++;
  active_readers++;
  if (active_readers > max_readers) max_readers = active_readers;
  record(arg);
  irq_restore(flags);
  thread_sleep(30); // hold it: the others overlap
  flags = irq_save();
  active_readers--;
  irq_restore(flags);
  rw_read_unlock(rw);
  finished();
}

function writer(arg: u64): void {
  rw_write_lock(rw);
  let flags = irq_save();
  if (active_readers != 0) violations++;
  writer_active = true;
  record(arg);
  irq_restore(flags);
  thread_sleep(10);
  flags = irq_save();
  writer_active = false;
  irq_restore(flags);
  rw_write_unlock(rw);
  finished();
}

export function test_rwlock_readers_share_writer_excludes(): bool {
  done = 0;
  active_readers = 0;
  max_readers = 0;
  violations = 0;
  order_len = 0;
  // On one CPU: the order below relies on the workers running while this thread sleeps (on
  // other CPUs of a busy host a reader could start after the writer).
  let pin = pin_here();
  for (let i: u64 = 1; i <= 3; i++) thread_create(reader, i, WORKER_PRIORITY, "rw_reader");
  thread_sleep(10); // the three readers hold it
  thread_create(writer, 100, WORKER_PRIORITY, "rw_writer");
  thread_sleep(5); // the writer waits for them
  thread_create(reader, 4, WORKER_PRIORITY, "rw_late_reader"); // must queue behind the writer
  let ok = check(wait_done(5, 2000), "readers and writer finished");
  unpin(pin);
  ok = check(max_readers >= 3, "readers held the lock together") && ok;
  ok = check_eq(violations, 0, "no reader with the writer, no writer with readers") && ok;
  ok = check_eq(order_len, 5, "five entries") && ok;
  ok = check_eq(order[3], 100, "the writer went before the reader that came after it") && ok;
  ok = check_eq(order[4], 4, "the late reader last") && ok;
  return ok;
}

// ---- priority inheritance: low (10) holds the mutex, high (60) waits, medium (30) spins ----
// Without inheritance medium keeps low off the CPU for its whole 300 ms, and high gets the mutex
// only after medium is done. With it, low runs at 60 until it unlocks, and high gets the mutex
// about 20 ms after asking.
const LOW: u8 = 10;
const MEDIUM: u8 = 30;
const HIGH: u8 = 60;
let pi_lock!: Inline<Mutex>;
let high_got_at: u64 = 0;
let medium_done_at: u64 = 0;
let low_prio_holding: u64 = 0; // low's effective priority just before it unlocks
let low_prio_after: u64 = 0;

function pi_low(arg: u64): void {
  mutex_lock(pi_lock);
  let end = clock_now_ns() + 20000000; // 20 ms of work in the critical section
  while (clock_now_ns() < end) {}
  low_prio_holding = u64(thread_current().priority);
  mutex_unlock(pi_lock);
  low_prio_after = u64(thread_current().priority);
  finished();
}

function pi_high(arg: u64): void {
  mutex_lock(pi_lock);
  high_got_at = clock_now_ns();
  mutex_unlock(pi_lock);
  finished();
}

function pi_medium(arg: u64): void {
  let end = clock_now_ns() + 300000000; // 300 ms of CPU, never blocking
  while (clock_now_ns() < end) {}
  medium_done_at = clock_now_ns();
  finished();
}

export function test_mutex_priority_inheritance(): bool {
  done = 0;
  high_got_at = 0;
  medium_done_at = 0;
  // On one CPU: the inversion needs medium to keep low off the CPU they share (elsewhere high
  // could also run on another CPU only after low was done, and lend it nothing).
  let pin = pin_here();
  thread_create(pi_low, 0, LOW, "pi_low");
  thread_sleep(5); // low takes the mutex and works
  thread_create(pi_high, 0, HIGH, "pi_high");
  thread_create(pi_medium, 0, MEDIUM, "pi_medium");
  // Sleeping now: high blocks on the mutex and lends 60 to low, which outranks medium.
  let ok = check(wait_done(3, 5000), "low, medium and high finished");
  unpin(pin);
  ok = check(high_got_at != 0 && high_got_at < medium_done_at, "high got the mutex before medium finished") && ok;
  ok = check_eq(low_prio_holding, u64(HIGH), "low ran at high's priority while high waited") && ok;
  ok = check_eq(low_prio_after, u64(LOW), "low back to its own priority after unlocking") && ok;
  return ok;
}

// ---- futexes: ring-3 threads contend for a user-space mutex (kernel-src/user/futex) ----
export function test_futex_user_mutex(): bool {
  thread_sleep(20); // earlier tests' threads are reaped
  let threads = thread_count();
  let objects = kmalloc_live_objects();
  let waits = futex_waits();
  let p = proc_spawn_path("/bin/futex", 32, false);
  let ok = check(p != null, "spawn");
  if (p != null) ok = check_eq(u64(proc_wait(p)), 0, "counter exact, no overlap, lock free at the end") && ok;
  kprint(`# futex: ${futex_waits() - waits} sleeps in the kernel\n`);
  ok = check(futex_waits() > waits, "contention went through SYS_FUTEX_WAIT") && ok;
  thread_sleep(20);
  ok = check_eq(thread_count(), threads, "its threads gone") && ok;
  ok = check_eq(kmalloc_live_objects(), objects, "every allocation returned") && ok;
  return ok;
}
