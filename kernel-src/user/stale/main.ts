// Hostile-process test, the attacker half (user/stalecaller is the victim): we serve one call from
// stalecaller, answer it, and keep the reply-and-wait fast path's memory of it (the kernel's
// Thread.reply_to still names stalecaller). stalecaller then calls the kernel service, which
// holds the call open; we guess its message id (ids are sequential: ours plus a few) and answer
// it with SYS_IPC_REPLY_WAIT, whose fast path once took "our last caller waits with this msg_id"
// as our right to answer. Each forged answer must fail with E_INVAL before any wait.
// Exit status: forged replies the kernel accepted (0 expected); 100 + n: setup step n failed.

import { print, sleep, ipc_send, ipc_receive, ipc_reply_wait } from "../lib/sys";
import { IpcMessage, inline_addr, IPC_FLAG_CALL, IPC_NONBLOCK } from "../../abi/ipc";
import { SEND_REPLY } from "../../abi/syscall";
import { E_INVAL, E_AGAIN } from "../../abi/errors";

const GUESSES: u64 = 40;
const MARK: u64 = 0x454c415453; // "STALE"

let msg!: Inline<IpcMessage>;
let fake!: Inline<IpcMessage>;

export function main(port: u64): i32 {
  msg.flags = 0;
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_reply_wait(port, msg, msg) != 0 || (msg.flags & IPC_FLAG_CALL) == 0) return 101; // its call
  let caller = msg.sender_tid;
  let first = msg.msg_id;
  if (ipc_send(0, msg, SEND_REPLY) != 0) return 102; // answered; reply_to still names the caller
  // Let the fast path's page check know fake's page (a receive with nothing queued changes nothing else).
  fake.buffer = 0;
  fake.buffer_size = 0;
  if (ipc_receive(port, fake, IPC_NONBLOCK) != E_AGAIN) return 103;
  sleep(20); // stalecaller's call to the service is held open meanwhile
  let accepted: i32 = 0;
  let refused: i32 = 0;
  for (let k: u64 = 1; k <= GUESSES; k++) {
    fake.sender_tid = caller;
    fake.msg_id = first + k;
    fake.flags = IPC_FLAG_CALL;
    fake.type = 0;
    memset(inline_addr(fake), 0, 64);
    store<u64>(inline_addr(fake), MARK);
    fake.buffer = 0;
    fake.buffer_size = 0;
    let r = ipc_reply_wait(port, fake, fake);
    if (r == E_INVAL) refused++;
    else {
      accepted++; // the forged reply went out and we waited: stalecaller's "done" woke us
      break;
    }
  }
  if (accepted == 0) {
    msg.buffer = 0;
    msg.buffer_size = 0;
    if (ipc_receive(port, msg, 0) != 0) return 104; // stalecaller's "done"
  }
  print(`[USER stale] ${refused} forged replies refused, ${accepted} accepted\n`);
  return accepted;
}
