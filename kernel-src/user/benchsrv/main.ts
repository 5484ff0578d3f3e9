// The second user process of the benchmark boot (kernel-src/test/bench.ts): user/bench calls it
// (ipc_call_reply_user_user) and yields to it (process_yield_switch). Requests on our own port,
// by message type: a call is answered with its inline data unchanged (SEND_REPLY, then receive
// again); YIELD_START (a send) makes us yield its inline u64 times; BUFFERS switches us to
// receiving into a 64 KiB buffer, accepting mapped buffers (IPC_RECEIVE_MAP, unmapped again before
// the reply: ipc_call_64k_copy and ipc_call_64k_map); STOP ends us.

import { ipc_receive, ipc_send, yield_cpu, mmap, munmap } from "../lib/sys";
import { IpcMessage, IPC_FLAG_CALL, IPC_FLAG_MAPPED, IPC_RECEIVE_MAP, inline_addr } from "../../abi/ipc";
import { SEND_REPLY, PROT_READ, PROT_WRITE } from "../../abi/syscall";

export const YIELD_START: u32 = 1;
export const STOP: u32 = 2;
export const BUFFERS: u32 = 3;
const BUFFER_SIZE: u64 = 65536;

let msg!: Inline<IpcMessage>;
let buffer: u64 = 0; // BUFFERS: where copied buffers land

export function main(port: u64): i32 {
  while (true) {
    msg.buffer = buffer;
    msg.buffer_size = buffer != 0 ? BUFFER_SIZE : 0;
    if (ipc_receive(port, msg, buffer != 0 ? IPC_RECEIVE_MAP : 0) != 0) return 1;
    if ((msg.flags & IPC_FLAG_MAPPED) != 0 && munmap(msg.buffer, msg.buffer_size) != 0) return 3;
    if ((msg.flags & IPC_FLAG_CALL) != 0) {
      msg.buffer_size = 0; // the reply carries no buffer
      if (ipc_send(0, msg, SEND_REPLY) != 0) return 2;
    } else if (msg.type == BUFFERS) {
      buffer = u64(mmap(BUFFER_SIZE, PROT_READ | PROT_WRITE));
      if (i64(buffer) <= 0) return 4;
    } else if (msg.type == YIELD_START) {
      let n = load<u64>(inline_addr(msg));
      for (let i: u64 = 0; i < n; i++) yield_cpu();
    } else if (msg.type == STOP) {
      return 0;
    }
  }
  return 0;
}
