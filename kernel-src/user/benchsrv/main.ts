// The second user process of the benchmark boot (kernel-src/test/bench.ts): user/bench calls it
// (ipc_call_reply_user_user) and yields to it (process_yield_switch). Requests on our own port,
// by message type: a call is answered with its inline data unchanged (SYS_IPC_REPLY_WAIT answers
// it and waits for the next message in one trap); YIELD_START (a send) makes us yield its inline
// u64 times; STOP ends us.

import { ipc_reply_wait, yield_cpu } from "../lib/sys";
import { IpcMessage, IPC_FLAG_CALL, inline_addr } from "../../abi/ipc";

export const YIELD_START: u32 = 1;
export const STOP: u32 = 2;

let msg!: Inline<IpcMessage>;

export function main(port: u64): i32 {
  msg.flags = 0; // nothing to answer yet: the first step only waits
  while (true) {
    msg.buffer = 0;
    msg.buffer_size = 0;
    if (ipc_reply_wait(port, msg, msg) != 0) return 1; // answers msg if it is a call, receives the next
    if ((msg.flags & IPC_FLAG_CALL) != 0) continue; // answered by the next step, inline data unchanged
    if (msg.type == YIELD_START) {
      let n = load<u64>(inline_addr(msg));
      for (let i: u64 = 0; i < n; i++) yield_cpu();
    } else if (msg.type == STOP) {
      return 0;
    }
  }
  return 0;
}
