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
//   ipc_call_64k_copy:  a call with a 64 KiB request buffer, copied in and out, to a forked child
//                       of ours (buffer_server) that receives into a 64 KiB buffer
//   ipc_call_64k_map:   the same with SEND_MAP: the pages shared copy-on-write and mapped into
//                       the child (IPC_RECEIVE_MAP), which unmaps them before it replies
// The kernel's first two messages on our own port pass us send rights (msg.cap): to its echo port,
// then to benchsrv's port.

import { print, ipc_receive, ipc_send, yield_cpu, mmap, munmap, fork, exit, port_create } from "../lib/sys";
import { umutex_lock, umutex_unlock } from "../lib/futex";
import { IpcMessage, IPC_FLAG_CALL, IPC_FLAG_MAPPED, IPC_RECEIVE_MAP, OWN_PORT, inline_addr } from "../../abi/ipc";

const YIELD_START: u32 = 1; // user/benchsrv's request types
const STOP: u32 = 2;
const BIG: u64 = 65536;
import { SEND_CALL, SEND_REPLY, SEND_GRANT, SEND_MAP, SYS_GETTID, PROT_READ, PROT_WRITE } from "../../abi/syscall";

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

let big: u64 = 0;
let bufsrv: u64 = 0; // our handle for buffer_server's port

/**
 * The forked child's loop for the 64 KiB rows: its own port (a send right to it goes to the
 * parent, whose port its OWN_PORT names), calls received into a 64 KiB buffer or mapped
 * (IPC_RECEIVE_MAP; unmapped again), answered inline; a plain message ends it.
 */
function buffer_server(): void {
  let p = port_create();
  let buf = u64(mmap(BIG, PROT_READ | PROT_WRITE));
  if (p <= 0 || i64(buf) <= 0) exit(1);
  msg.cap = u64(p);
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_send(OWN_PORT, msg, SEND_GRANT) != 0) exit(2);
  while (true) {
    msg.buffer = buf;
    msg.buffer_size = BIG;
    if (ipc_receive(u64(p), msg, IPC_RECEIVE_MAP) != 0) exit(3);
    if ((msg.flags & IPC_FLAG_MAPPED) != 0 && munmap(msg.buffer, msg.buffer_size) != 0) exit(4);
    if ((msg.flags & IPC_FLAG_CALL) == 0) exit(0);
    msg.buffer_size = 0; // the reply carries no buffer
    if (ipc_send(0, msg, SEND_REPLY) != 0) exit(5);
  }
}

/** Calls buffer_server with a 64 KiB request buffer (flags: 0 or SEND_MAP), inline reply; failed calls. */
function big_calls(port: u64, flags: u64, name: string): i32 {
  let failures: i32 = 0;
  if (big == 0) {
    big = u64(mmap(BIG, PROT_READ | PROT_WRITE));
    if (i64(big) <= 0) return 1;
    for (let off: u64 = 0; off < BIG; off += 8) store<u64>(big + off, off);
    let pid = fork();
    if (pid == 0) buffer_server();
    msg.buffer = 0;
    msg.buffer_size = 0;
    if (pid < 0 || ipc_receive(port, msg, 0) != 0 || msg.cap == 0) return 1;
    bufsrv = msg.cap;
  }
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      msg.type = 0;
      msg.buffer = big;
      msg.buffer_size = BIG;
      if (ipc_send(bufsrv, msg, SEND_CALL | flags) != 0) failures++;
    }
    sample(b, rdtsc() - t0, empty);
  }
  report(name, median(), N);
  return failures;
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
  failures += big_calls(port, 0, "ipc_call_64k_copy");
  failures += big_calls(port, SEND_MAP, "ipc_call_64k_map");
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (bufsrv != 0 && ipc_send(bufsrv, msg, 0) != 0) failures++; // ends buffer_server
  msg.type = STOP;
  if (ipc_send(srv, msg, 0) != 0) failures++;
  return failures;
}
