// x87 and SSE state follows a thread that moves between CPUs (KTAP smp_fpu_state_across_migration):
// twice as many threads as CPUs (main included) each put their own value in st0 and xmm5, move to
// the next CPU (SYS_SCHED_SETAFFINITY: the move happens before the call returns), yield to the
// threads there (whose values then fill the registers) and read both values back, ROUNDS times.
// The registers are saved lazily (the kernel's switch_to), so a moved thread's state must be
// saved on the CPU it left and loaded on the new one. fpu.S is user/fpuleak's.
// Exit status: rounds that read another value (0 expected), 100 + n when the threads did not end.

import { sched_setaffinity, thread_create, thread_exit, yield_cpu, sleep, print } from "../lib/sys";

declare function fpu_put(v: u64): void;
declare function fpu_get_x87(): u64;
declare function fpu_get_sse(): u64;

const ROUNDS: u64 = 100;
const PRIORITY: u64 = 32;

let cpus: u64 = 0;
let bad: u64 = 0; // atomic
let finished: u64 = 0; // atomic

function hop(id: u64): void {
  let secret = 0x5ca1ab1e00000000 | (id << 16);
  for (let i: u64 = 0; i < ROUNDS; i++) {
    fpu_put(secret + i);
    sched_setaffinity(u64(1) << ((id + i) % cpus));
    yield_cpu();
    let wrong: u64 = 0;
    if (fpu_get_sse() != secret + i) wrong++;
    if (fpu_get_x87() != secret + i) wrong++;
    if (wrong != 0) atomic_fetch_add<u64>(addr_of(bad), wrong);
  }
}

function worker(id: u64): void {
  hop(id);
  atomic_fetch_add<u64>(addr_of(finished), 1);
  thread_exit();
}

export function main(port: u64): i32 {
  while (cpus < 64 && sched_setaffinity(u64(1) << cpus) == 0) cpus++;
  let threads = 2 * cpus;
  for (let id: u64 = 1; id < threads; id++) thread_create(addressof(worker), id, PRIORITY);
  hop(0);
  for (let i = 0; i < 10000 && atomic_load<u64>(addr_of(finished)) < threads - 1; i++) sleep(1);
  let done = atomic_load<u64>(addr_of(finished));
  print(`[USER fpumove] ${threads} threads on ${cpus} CPUs, ${ROUNDS} moves each: ${bad} values lost\n`);
  if (done < threads - 1) return i32(100 + done);
  return i32(bad);
}
