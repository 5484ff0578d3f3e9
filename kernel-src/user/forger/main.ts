// Hostile-process test, the attacker half (user/victim is the victim, started just before us):
// while the victim waits for the kernel service's replies, try to answer its calls ourselves.
// Under the old ABI a reply named its call by the caller's tid and the message id, both guessable:
// we learn the current message id from a message to ourselves and try the few before it, for
// the few tids before ours. Exit status: forged replies the kernel accepted (0 expected).

import { print, sleep, ipc_send, ipc_receive } from "../lib/sys";
import { IpcMessage, inline_addr, IPC_FLAG_CALL, SVC_SLEEP } from "../../abi/ipc";
import { SEND_REPLY, SYS_GETTID } from "../../abi/syscall";

const ROUNDS: i32 = 60;
const TIDS: u64 = 3;
const IDS: u64 = 12;
const MARK: u64 = 0x454752524f46; // "FORGE"

let probe!: Inline<IpcMessage>;
let fake!: Inline<IpcMessage>;

export function main(port: u64): i32 {
  let me = u64(syscall(SYS_GETTID));
  let accepted: i32 = 0;
  let tries: i32 = 0;
  for (let round: i32 = 0; round < ROUNDS; round++) {
    sleep(5);
    probe.type = 0;
    probe.buffer = 0;
    probe.buffer_size = 0;
    if (ipc_send(port, probe, 0) != 0 || ipc_receive(port, probe, 0) != 0) return 100;
    let now = probe.msg_id;
    for (let tid = me - TIDS; tid < me; tid++) {
      for (let k: u64 = 1; k <= IDS && k < now; k++) {
        fake.sender_tid = tid;
        fake.msg_id = now - k;
        fake.flags = IPC_FLAG_CALL;
        fake.type = SVC_SLEEP;
        memset(inline_addr(fake), 0, 64);
        store<u64>(inline_addr(fake), MARK);
        fake.buffer = 0;
        fake.buffer_size = 0;
        tries++;
        if (ipc_send(0, fake, SEND_REPLY) == 0) accepted++;
      }
    }
  }
  print(`[USER forger] ${tries} forged replies tried, ${accepted} accepted\n`);
  return accepted;
}
