// The ring-3 half of the benchmark boot (kernel-src/test/bench.ts): the same method (median of
// BATCHES batches of N operations, minus the empty loop, counted by rdtsc under QEMU -icount),
// printed as `bench <name> <instructions per op>`.
//   null_syscall:       SYS_GETTID, the cheapest real system call (entry, dispatch, sysret)
//   ipc_call_reply_user: SYS_IPC_SEND with SEND_CALL to a kernel echo thread and its reply
//   ipc_call_reply_user_user: the same call to user/benchsrv, another process (it answers and
//                       waits for the next call with SYS_IPC_REPLY_WAIT), address-space switches included
//   process_yield_switch: SYS_YIELD between us and user/benchsrv, per switch (address space included)
//   futex_mutex_uncontended_user: umutex_lock + umutex_unlock (user/lib/futex.ts), nobody else
//                       wants it: an atomic each way, no system call
// The kernel's first two messages on our own port pass us send rights (msg.cap): to its echo port,
// then to benchsrv's port.

import { print, ipc_receive, ipc_send, yield_cpu } from "../lib/sys";
import { umutex_lock, umutex_unlock } from "../lib/futex";
import { IpcMessage, inline_addr } from "../../abi/ipc";

const YIELD_START: u32 = 1; // user/benchsrv's request types
const STOP: u32 = 2;
import { SEND_CALL, SYS_GETTID } from "../../abi/syscall";

const BATCHES: i32 = 9;
const N: u64 = 200;

let samples!: InlineArray<u64, 9>;
let msg!: Inline<IpcMessage>;
let ulock: u32 = 0;

function median(): u64 {
  for (let i: i32 = 1; i < BATCHES; i++) {
    let v = samples[i];
    let j = i - 1;
    while (j >= 0 && samples[j] > v) {
      samples[j + 1] = samples[j];
      j--;
    }
    samples[j + 1] = v;
  }
  return samples[BATCHES >> 1];
}

function empty_loop(): u64 {
  let t0 = rdtsc();
  for (let i: u64 = 0; i < N; i++) barrier();
  return rdtsc() - t0;
}

function sample(b: i32, delta: u64, empty: u64): void {
  samples[b] = delta > empty ? delta - empty : 0;
}

function report(name: string, total: u64, ops: u64): void {
  let per10 = (total * 10 + ops / 2) / ops;
  print(`bench ${name} ${per10 / 10}.${per10 % 10}\n`);
}

export function main(port: u64): i32 {
  let failures: i32 = 0;
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0) return 1;
  let echo = msg.cap; // our handle for the echo port (the kernel passed us a send right)
  if (echo == 0) return 1;
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0) return 1;
  let srv = msg.cap; // and for user/benchsrv's port
  if (srv == 0) return 1;

  let tid = syscall(SYS_GETTID);
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      if (syscall(SYS_GETTID) != tid) failures++;
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("null_syscall", median(), N);

  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      msg.buffer = 0;
      msg.buffer_size = 0;
      if (ipc_send(echo, msg, SEND_CALL) != 0) failures++;
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("ipc_call_reply_user", median(), N);

  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      umutex_lock(addr_of(ulock));
      umutex_unlock(addr_of(ulock));
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("futex_mutex_uncontended_user", median(), N);
  if (ulock != 0) failures++;

  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      msg.buffer = 0;
      msg.buffer_size = 0;
      msg.type = 0;
      if (ipc_send(srv, msg, SEND_CALL) != 0) failures++;
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("ipc_call_reply_user_user", median(), N);

  // benchsrv yields as many times as we do: each of our yields runs it for one of its own
  msg.type = YIELD_START;
  msg.buffer = 0;
  msg.buffer_size = 0;
  store<u64>(inline_addr(msg), u64(BATCHES) * N + 1);
  if (ipc_send(srv, msg, 0) != 0) failures++;
  yield_cpu(); // it takes the message and starts yielding
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) yield_cpu();
    sample(b, rdtsc() - t0, empty);
  }
  report("process_yield_switch", median(), 2 * N); // two switches per yield of ours
  msg.type = STOP;
  if (ipc_send(srv, msg, 0) != 0) failures++;
  return failures;
}
