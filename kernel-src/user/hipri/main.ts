// Hostile-process test: a user thread must not take the CPU from the kernel's threads. We ask for
// priority 95 (above the kernel's ordinary threads at 64): it must be refused (E_INVAL); then a
// thread at USER_PRIORITY_MAX spins for a while, during which the kernel's test thread (priority
// 64) measures how late its sleeps end. Exit status: 1 if priority 95 was granted.

import { print, thread_create, thread_exit, ipc_send, ipc_receive } from "../lib/sys";
import { IpcMessage } from "../../abi/ipc";
import { E_INVAL } from "../../abi/errors";
import { USER_PRIORITY_MAX } from "../../abi/limits";

const SPINS: u64 = 150000000; // long enough that a starving spinner makes a sleep many ticks late

let sink!: InlineArray<u64, 1>;
let my_port: u64 = 0;
let done!: Inline<IpcMessage>;
let msg!: Inline<IpcMessage>;

function spin(arg: u64): void {
  for (let i: u64 = 0; i < SPINS; i++) volatile_store<u64>(addr_of(sink), i);
  done.type = 1;
  done.buffer = 0;
  done.buffer_size = 0;
  ipc_send(my_port, done, 0);
  thread_exit();
}

export function main(port: u64): i32 {
  my_port = port;
  let spinners: i32 = 0;
  let high = thread_create(addressof(spin), 0, 95);
  if (high > 0) spinners++;
  else if (high != E_INVAL) return 2;
  if (thread_create(addressof(spin), 0, USER_PRIORITY_MAX) > 0) spinners++;
  for (let i: i32 = 0; i < spinners; i++) {
    msg.buffer = 0;
    msg.buffer_size = 0;
    ipc_receive(port, msg, 0);
  }
  print(`[USER hipri] priority 95 ${high > 0 ? "granted" : "refused"}\n`);
  return high > 0 ? 1 : 0;
}
