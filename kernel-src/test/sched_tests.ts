// Self-tests for threads, the scheduler and the timer (see ktest.ts for the runner).
// The test thread runs at priority 64; worker threads run below it, so they only get the CPU
// while the test thread sleeps, which makes the orders they record deterministic.

import { check, check_eq, pin_here, unpin } from "./ktest";
import { thread_create, thread_yield, thread_sleep, thread_count } from "../sched/scheduler";
import { clock_ticks } from "../time/clock";
import { idt_irqs } from "../arch/x86_64/idt";
import { kmalloc_used_bytes } from "../mm/kmalloc";

let done_count: u64 = 0;

/** One more thread done: atomic, the threads may run on several CPUs at once. */
function count_done(): void {
  atomic_fetch_add<u64>(addr_of(done_count), 1);
}
let order!: InlineArray<u64, 64>;
let order_len: u64 = 0;
let stop_flag: u32 = 0;
let ran_flag: u32 = 0;

function record(v: u64): void {
  if (order_len < 64) order[i32(order_len)] = v;
  order_len++;
}

/** Sleeps in 10 ms steps until done_count reaches n or about `ms` passed. */
function wait_done(n: u64, ms: u64): bool {
  for (let waited: u64 = 0; waited < ms; waited += 10) {
    if (volatile_load<u64>(addr_of(done_count)) >= n) return true;
    thread_sleep(10);
  }
  return volatile_load<u64>(addr_of(done_count)) >= n;
}

export function test_timer(): bool {
  let t0 = clock_ticks();
  let irqs = idt_irqs();
  thread_sleep(50);
  let ok = check(clock_ticks() > t0, "ticks advance");
  ok = check(idt_irqs() > irqs, "IRQs arrive") && ok;
  return ok;
}

function counting_thread(arg: u64): void {
  count_done();
}

export function test_threads_500(): bool {
  // Let earlier tests' threads finish and be reaped first.
  thread_sleep(20);
  let threads = thread_count();
  let used = kmalloc_used_bytes();
  done_count = 0;
  let ok = true;
  for (let i: i32 = 0; i < 500; i++) {
    if (thread_create(counting_thread, 0, 10, "worker") == 0) ok = check(false, "thread_create");
    if (i % 50 == 49) thread_sleep(10); // let batches run: bounded memory
  }
  ok = check(wait_done(500, 5000), "all 500 threads ran") && ok;
  // A thread counts itself done just before it exits (on another CPU, maybe held up there by a
  // busy host): wait until the last ones have exited and been reaped by the next switch.
  for (let i = 0; i < 100 && thread_count() != threads; i++) thread_sleep(10);
  ok = check_eq(thread_count(), threads, "threads back to the start") && ok;
  ok = check_eq(kmalloc_used_bytes(), used, "stacks and TCBs freed") && ok;
  return ok;
}

function prio_thread(arg: u64): void {
  record(arg);
  count_done();
}

export function test_priority_order(): bool {
  done_count = 0;
  order_len = 0;
  let pin = pin_here();
  thread_create(prio_thread, 10, 10, "p10");
  thread_create(prio_thread, 30, 30, "p30");
  thread_create(prio_thread, 20, 20, "p20");
  thread_create(prio_thread, 31, 30, "p30b");
  let ok = check(wait_done(4, 1000), "all ran");
  unpin(pin);
  ok = check_eq(order[0], 30, "first: highest priority") && ok;
  ok = check_eq(order[1], 31, "same priority in creation order") && ok;
  ok = check_eq(order[2], 20, "then 20") && ok;
  ok = check_eq(order[3], 10, "then 10") && ok;
  return ok;
}

function rr_thread(arg: u64): void {
  for (let i: i32 = 0; i < 3; i++) {
    record(arg);
    thread_yield();
  }
  count_done();
}

export function test_round_robin(): bool {
  done_count = 0;
  order_len = 0;
  let pin = pin_here();
  thread_create(rr_thread, 1, 20, "rr1");
  thread_create(rr_thread, 2, 20, "rr2");
  thread_create(rr_thread, 3, 20, "rr3");
  let ok = check(wait_done(3, 1000), "all ran");
  unpin(pin);
  ok = check_eq(order_len, 9, "nine turns") && ok;
  for (let i: i32 = 0; i < 9; i++) {
    if (order[i] != u64(i % 3 + 1)) ok = check_eq(order[i], u64(i % 3 + 1), "turn order 1 2 3 1 2 3 ...");
  }
  return ok;
}

function spinner(arg: u64): void {
  while (volatile_load<u32>(addr_of(stop_flag)) == 0) pause(); // never yields
  count_done();
}

function latecomer(arg: u64): void {
  volatile_store<u32>(addr_of(ran_flag), 1);
  count_done();
}

export function test_preemption(): bool {
  done_count = 0;
  stop_flag = 0;
  ran_flag = 0;
  thread_create(spinner, 0, 20, "spinner");
  thread_create(latecomer, 0, 20, "latecomer");
  thread_sleep(200); // spinner runs first and never yields; only the timer can let latecomer in
  let ok = check(volatile_load<u32>(addr_of(ran_flag)) == 1, "equal-priority thread ran despite a spinner");
  volatile_store<u32>(addr_of(stop_flag), 1);
  ok = check(wait_done(2, 1000), "spinner stopped") && ok;
  return ok;
}

export function test_sleep_accuracy(): bool {
  let ok = true;
  for (let ms: u64 = 20; ms <= 200; ms += 90) {
    let t0 = clock_ticks();
    thread_sleep(ms);
    let dt = clock_ticks() - t0;
    let want = ms / 10; // 100 Hz
    if (dt < want || dt > want + 2) ok = check_eq(dt, want, "ticks slept");
  }
  return ok;
}
