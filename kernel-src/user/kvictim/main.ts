// Hostile-process test: a process killed while its threads wait in every blocking call. Its
// first message (from the kernel's test) passes a send right to user/kserver. Threads then block
// in: a receive, a sleep, a call nobody takes (the port's callers queue), a send to a full port,
// a call the kernel service holds open (SVC_SLEEP), and a call user/kserver has received and
// holds. Then main faults: the kernel must end every thread (none runs another user instruction),
// give everything back, and leave kserver's late reply a clean error.

import { print, ipc_send, ipc_receive, sleep, thread_create, thread_exit, port_create } from "../lib/sys";
import { IpcMessage, IPC_NONBLOCK, SERVICE_PORT, SVC_SLEEP, inline_addr } from "../../abi/ipc";
import { SEND_CALL } from "../../abi/syscall";

const PRIORITY: u64 = 32;

let msgs!: InlineArray<u8, 1024>; // one message per thread
let nobody: u64 = 0; // a port of ours nobody receives on
let full: u64 = 0; // a port of ours with a full queue
let server: u64 = 0; // kserver's port (a send right the kernel passed us)
let after_kill!: InlineArray<u64, 1>; // set by any thread that returns from its wait: must stay 0

function msg_of(i: u64): IpcMessage {
  let m = changetype<IpcMessage>(addr_of(msgs) + i * sizeof<IpcMessage>());
  m.flags = 0;
  m.cap = 0;
  m.buffer = 0;
  m.buffer_size = 0;
  return m;
}

function returned(): void {
  volatile_store<u64>(addr_of(after_kill), 1);
  thread_exit();
}

function in_receive(arg: u64): void {
  ipc_receive(arg, msg_of(1), 0);
  returned();
}

function in_sleep(arg: u64): void {
  sleep(3600000);
  returned();
}

function in_call_nobody(arg: u64): void {
  ipc_send(nobody, msg_of(3), SEND_CALL);
  returned();
}

function in_send_full(arg: u64): void {
  ipc_send(full, msg_of(4), 0);
  returned();
}

function in_service_call(arg: u64): void {
  let m = msg_of(5);
  m.type = SVC_SLEEP;
  store<u64>(inline_addr(m), 100);
  ipc_send(SERVICE_PORT, m, SEND_CALL);
  returned();
}

function in_server_call(arg: u64): void {
  ipc_send(server, msg_of(6), SEND_CALL);
  returned();
}

export function main(port: u64): i32 {
  let m = msg_of(0);
  if (ipc_receive(port, m, 0) != 0 || m.cap == 0) return 1;
  server = m.cap;
  nobody = u64(port_create());
  full = u64(port_create());
  if (i64(nobody) <= 0 || i64(full) <= 0) return 2;
  while (ipc_send(full, msg_of(7), IPC_NONBLOCK) == 0) {}
  let n: i32 = 0;
  if (thread_create(addressof(in_receive), port, PRIORITY) > 0) n++;
  if (thread_create(addressof(in_sleep), 0, PRIORITY) > 0) n++;
  if (thread_create(addressof(in_call_nobody), 0, PRIORITY) > 0) n++;
  if (thread_create(addressof(in_send_full), 0, PRIORITY) > 0) n++;
  if (thread_create(addressof(in_service_call), 0, PRIORITY) > 0) n++;
  if (thread_create(addressof(in_server_call), 0, PRIORITY) > 0) n++;
  if (n != 6) return 3;
  sleep(30); // every thread is in its wait now
  print(`[USER kvictim] 6 threads waiting; faulting\n`);
  return i32(load<u64>(volatile_load<u64>(addr_of(after_kill)))); // load from 0: #PF, the process dies
}
