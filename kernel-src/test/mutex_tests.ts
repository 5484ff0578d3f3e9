// Self-tests for sleeping mutexes (sched/mutex.ts) and for system calls that run with interrupts
// on (sys_mmap/sys_munmap, arch/x86_64/syscall.S). The test thread runs at priority 64; workers run
// below it, so they get the CPU only while it sleeps, which makes the orders they record
// deterministic.

import { check, check_eq } from "./ktest";
import { Mutex, mutex_lock, mutex_unlock, mutex_try_lock, mutex_held, mutex_owner_tid } from "../sched/mutex";
import {
  thread_create, thread_sleep, thread_yield, thread_current, thread_affinity, thread_set_affinity,
} from "../sched/scheduler";
import { proc_spawn_path, proc_wait, Process } from "../proc/process";
import { clock_ticks } from "../time/clock";
import { kprint } from "../lib/log";


const WORKERS: u64 = 4;
const ROUNDS: u64 = 100;

let lock!: Inline<Mutex>;
let done: u64 = 0;
let counter: u64 = 0;
let inside: u64 = 0; // holders at once: must never exceed 1
let worst_inside: u64 = 0;
let order!: InlineArray<u64, 8>;
let order_len: u64 = 0;
let try_result: u64 = 0;

/** One more worker done: atomic, workers on several CPUs may finish at once. */
function finished(): void {
  atomic_fetch_add<u64>(addr_of(done), 1);
}

function wait_done(n: u64, ms: u64): bool {
  for (let waited: u64 = 0; waited < ms && volatile_load<u64>(addr_of(done)) < n; waited += 10) thread_sleep(10);
  return volatile_load<u64>(addr_of(done)) >= n;
}

/** Increments counter ROUNDS times, yielding inside the lock so that the others contend. */
function contender(arg: u64): void {
  for (let i: u64 = 0; i < ROUNDS; i++) {
    mutex_lock(lock);
    inside++;
    if (inside > worst_inside) worst_inside = inside;
    let v = counter;
    thread_yield(); // the others run now and block on the lock
    counter = v + 1;
    inside--;
    mutex_unlock(lock);
    if (i % 7 == 0) thread_sleep(1);
  }
  finished();
}

export function test_mutex_contention(): bool {
  done = 0;
  counter = 0;
  inside = 0;
  worst_inside = 0;
  for (let i: u64 = 0; i < WORKERS; i++) thread_create(contender, i, 20, "contender");
  let ok = check(wait_done(WORKERS, 10000), "contenders finished");
  ok = check_eq(counter, WORKERS * ROUNDS, "no increment lost") && ok;
  ok = check_eq(worst_inside, 1, "one holder at a time") && ok;
  ok = check_eq(mutex_owner_tid(lock), 0, "free at the end") && ok;
  return ok;
}

function waiter(arg: u64): void {
  mutex_lock(lock);
  if (order_len < 8) order[i32(order_len)] = arg;
  order_len++;
  mutex_unlock(lock);
  finished();
}

/** Waiters arrive in the order 10, 30, 20, 31 (priorities 10, 30, 20, 30); they get it 30, 31, 20, 10. */
export function test_mutex_wake_order(): bool {
  done = 0;
  order_len = 0;
  mutex_lock(lock);
  let ok = check(mutex_held(lock), "the test thread holds it");
  thread_create(waiter, 10, 10, "w10");
  thread_sleep(10); // each runs now, while we sleep, and blocks on the lock
  thread_create(waiter, 30, 30, "w30");
  thread_sleep(10);
  thread_create(waiter, 20, 20, "w20");
  thread_sleep(10);
  thread_create(waiter, 31, 30, "w30b");
  thread_sleep(10);
  ok = check_eq(order_len, 0, "nobody got a held lock") && ok;
  mutex_unlock(lock);
  ok = check(wait_done(4, 1000), "all waiters ran") && ok;
  ok = check_eq(order[0], 30, "first: the highest priority") && ok;
  ok = check_eq(order[1], 31, "same priority in arrival order") && ok;
  ok = check_eq(order[2], 20, "then 20") && ok;
  ok = check_eq(order[3], 10, "then 10") && ok;
  return ok;
}

function try_taker(arg: u64): void {
  try_result = mutex_try_lock(lock) ? 1 : 2;
  if (try_result == 1) mutex_unlock(lock);
  finished();
}

export function test_mutex_try_lock(): bool {
  let ok = check(mutex_try_lock(lock), "try_lock on a free mutex");
  ok = check(!mutex_try_lock(lock), "try_lock on a mutex we hold (not recursive)") && ok;
  ok = check_eq(mutex_owner_tid(lock), thread_current().tid, "the owner is us") && ok;
  done = 0;
  try_result = 0;
  thread_create(try_taker, 0, 20, "try_taker");
  ok = check(wait_done(1, 1000), "try_taker ran") && ok;
  ok = check_eq(try_result, 2, "try_lock held by another thread fails, without sleeping") && ok;
  mutex_unlock(lock);
  done = 0;
  thread_create(try_taker, 0, 20, "try_taker");
  ok = check(wait_done(1, 1000), "try_taker ran again") && ok;
  ok = check_eq(try_result, 1, "try_lock after unlock succeeds") && ok;
  return ok;
}

let watched: Process | null = null;
let watch_stop: u32 = 0;
let wakes: u64 = 0;
let wakes_in_call: u64 = 0;

/**
 * Priority 90, sleeping on a short timeout over and over. A wake-up that finds the user process's
 * space_lock held has run on a timer tick taken inside its mmap/munmap, before the call returned.
 */
function watcher(arg: u64): void {
  while (volatile_load<u32>(addr_of(watch_stop)) == 0) {
    thread_sleep(1);
    wakes++;
    if (watched!.space_lock.owner != 0) wakes_in_call++;
  }
  finished();
}

export function test_syscall_preemptible(): bool {
  done = 0;
  watch_stop = 0;
  wakes = 0;
  wakes_in_call = 0;
  let t0 = clock_ticks();
  let p = proc_spawn_path("/bin/longcall", 32, false);
  if (p == null) return check(false, "spawn longcall");
  watched = p;
  let pin = thread_affinity();
  thread_set_affinity(1); // the watcher (created now) and longcall (it pins itself) share CPU 0
  thread_create(watcher, 0, 90, "watcher");
  while (!p.exited) thread_sleep(10);
  volatile_store<u32>(addr_of(watch_stop), 1);
  let ok = check(wait_done(1, 1000), "watcher stopped");
  thread_set_affinity(pin);
  kprint(`# longcall: ${clock_ticks() - t0} ticks, watcher woke ${wakes} times, ${wakes_in_call} inside a call\n`);
  ok = check_eq(u64(proc_wait(p)), 0, "longcall: every mmap/munmap succeeded") && ok;
  watched = null;
  ok = check(wakes_in_call > 0, "a higher-priority thread ran during a system call from ring 3") && ok;
  return ok;
}
