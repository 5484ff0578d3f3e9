// Hostile-process test: fill the kernel with threads and queued IPC buffers (the attack that ran
// the kernel heap out and panicked it). Our port's queue is filled with 64 KiB messages; then
// threads are created until refused, each sending one more 64 KiB message to the full port (so
// that the kernel holds its buffer while it waits) and then sleeping; then one more thread.
// Every refusal must be a clean E_NOMEM within the limits of abi/limits.ts. Exit status: the
// number of failed checks (0 expected); the kernel's test counts frames and heap blocks after.

import { print, thread_create, thread_exit, ipc_send, sleep } from "../lib/sys";
import { IpcMessage, IPC_NONBLOCK } from "../../abi/ipc";
import { E_NOMEM, E_FULL } from "../../abi/errors";
import { PROC_MAX_THREADS, PROC_MAX_QUEUED_BYTES } from "../../abi/limits";

const BIG: u64 = 65536;
const MAX_TRIES: u64 = 5000;
const PRIORITY: u64 = 32; // ours (the kernel's test starts us at 32): a yield lets the new thread run

let buf!: InlineArray<u8, 65536>;
let msg!: Inline<IpcMessage>;
let sends!: InlineArray<u64, 4>; // [0] tried, [1] refused with E_NOMEM, [2] other errors, [3] accepted
let my_port: u64 = 0;
let failures: i32 = 0;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  failures++;
  print(`[USER hog] FAIL ${what}: got ${got}, want ${want}\n`);
}

function hold_buffer(arg: u64): void {
  let m = changetype<IpcMessage>(arg);
  m.type = 1;
  m.buffer = addr_of(buf);
  m.buffer_size = BIG;
  atomic_fetch_add<u64>(addr_of(sends), 1);
  let r = ipc_send(my_port, m, 0); // the port is full: blocks holding the kernel copy, or refused
  atomic_fetch_add<u64>(addr_of(sends) + (r == 0 ? 24 : r == E_NOMEM ? 8 : 16), 1);
  sleep(3600000);
  thread_exit();
}

let msgs!: InlineArray<u8, 8192>; // a message per thread (a thread blocked in a send reads its own)

export function main(port: u64): i32 {
  my_port = port;
  let queued: u64 = 0;
  let r: i64 = 0;
  while (queued < MAX_TRIES) {
    msg.type = 1;
    msg.buffer = addr_of(buf);
    msg.buffer_size = BIG;
    r = ipc_send(port, msg, IPC_NONBLOCK);
    if (r != 0) break;
    queued++;
  }
  if (r != E_FULL) expect("a full port or the byte limit", r, E_NOMEM);
  expect("queued bytes within the limit", i64(queued * BIG <= PROC_MAX_QUEUED_BYTES), 1);
  let threads: u64 = 0;
  while (threads < MAX_TRIES) {
    let slot = addr_of(msgs) + (threads % 64) * sizeof<IpcMessage>();
    r = thread_create(addressof(hold_buffer), slot, PRIORITY);
    if (r <= 0) break;
    threads++;
    sleep(0); // let it run into its send
  }
  expect("thread_create refused", r, E_NOMEM);
  expect("threads within the limit", i64(threads + 1 <= PROC_MAX_THREADS), 1);
  expect("one more thread refused", thread_create(addressof(hold_buffer), addr_of(msgs), PRIORITY), E_NOMEM);
  sleep(20); // every thread has tried its send
  let held = sends[0] - sends[1] - sends[2]; // blocked in their sends, holding a kernel copy
  expect("sends held within the byte limit", i64((queued + held) * BIG <= PROC_MAX_QUEUED_BYTES), 1);
  expect("sends refused with E_NOMEM only", i64(sends[2]), 0);
  print(`[USER hog] ${queued} messages queued, ${threads} threads, ${held} more buffers held, ${sends[1]} refused; ${failures} failed\n`);
  return failures;
}
