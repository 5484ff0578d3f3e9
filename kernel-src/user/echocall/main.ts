// Test program: the user-to-user IPC fast paths end to end. Its first message (from the kernel's
// test) passes a send right to user/benchsrv, which answers each call with SYS_IPC_REPLY_WAIT and
// its inline data unchanged. We make CALLS calls, each with its own inline pattern, and check every
// answer word (the call and the reply each cross address spaces through the direct map), then
// send benchsrv STOP. Exit status: answers that were wrong or failed (0 expected); 100: setup.

import { ipc_send, ipc_receive } from "../lib/sys";
import { IpcMessage, inline_addr } from "../../abi/ipc";
import { SEND_CALL } from "../../abi/syscall";

const CALLS: u64 = 1000;
const STOP: u32 = 2; // user/benchsrv's request type

let msg!: Inline<IpcMessage>;

function pattern(i: u64, w: u64): u64 {
  return (i << 32) ^ (w * 0x9e3779b97f4a7c15) ^ 0x5ca1ab1e;
}

export function main(port: u64): i32 {
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0 || msg.cap == 0) return 100;
  let srv = msg.cap;
  let bad: i32 = 0;
  for (let i: u64 = 0; i < CALLS; i++) {
    msg.type = 0;
    msg.buffer = 0;
    msg.buffer_size = 0;
    for (let w: u64 = 0; w < 8; w++) store<u64>(inline_addr(msg) + w * 8, pattern(i, w));
    if (ipc_send(srv, msg, SEND_CALL) != 0) {
      bad++;
      continue;
    }
    for (let w: u64 = 0; w < 8; w++) if (load<u64>(inline_addr(msg) + w * 8) != pattern(i, w)) bad++;
    if (msg.buffer_size != 0 || msg.cap != 0) bad++;
  }
  msg.type = STOP;
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_send(srv, msg, 0) != 0) bad++;
  return bad;
}
