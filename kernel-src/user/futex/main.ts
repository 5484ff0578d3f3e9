// Futex mutex torture in ring 3, for the kernel's test (test/sync_tests.ts): WORKERS threads and
// main each take the user-space mutex (user/lib/futex.ts) ITERS times and increment a shared,
// non-atomic counter inside it; every SLEEP_EVERY-th time they sleep 1 ms while holding it, so the
// others, on this CPU or another, find it taken and sleep in SYS_FUTEX_WAIT (a yield would not do
// with several CPUs: there each thread may run alone on its CPU and yield to nobody).
// Exit status: 0 when the counter is exactly
// (WORKERS + 1) * ITERS and no critical section overlapped another, else 1.

import { thread_create, thread_exit, sleep, print } from "../lib/sys";
import { umutex_lock, umutex_unlock } from "../lib/futex";

const WORKERS: u64 = 3;
const ITERS: u64 = 2000;
const SLEEP_EVERY: u64 = 50;
const PRIORITY: u64 = 32;

let lock: u32 = 0;
let counter: u64 = 0;
let inside: u64 = 0; // threads inside the critical section: never more than 1
let overlaps: u64 = 0;
let finished: u64 = 0;

function hammer(): void {
  let l = addr_of(lock);
  for (let i: u64 = 0; i < ITERS; i++) {
    umutex_lock(l);
    if (inside != 0) overlaps++;
    inside = 1;
    let c = volatile_load<u64>(addr_of(counter));
    if (i % SLEEP_EVERY == 0) sleep(1); // hold it across a sleep: the others, on any CPU, contend
    volatile_store<u64>(addr_of(counter), c + 1);
    inside = 0;
    umutex_unlock(l);
  }
}

function worker(arg: u64): void {
  hammer();
  atomic_fetch_add<u64>(addr_of(finished), 1);
  thread_exit();
}

export function main(port: u64): i32 {
  for (let i: u64 = 0; i < WORKERS; i++) thread_create(addressof(worker), i, PRIORITY);
  hammer();
  while (atomic_load<u64>(addr_of(finished)) < WORKERS) sleep(1);
  let want = (WORKERS + 1) * ITERS;
  print(`[USER] futex: counter ${counter} of ${want}, ${overlaps} overlaps, lock word ${lock}\n`);
  return counter == want && overlaps == 0 && lock == 0 ? 0 : 1;
}
