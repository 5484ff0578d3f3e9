// Hostile-process test, the victim half of user/stale: one call to stale (which answers it), then
// a call to the kernel service held open (SVC_SLEEP) while stale tries to answer it in the
// service's place; the reply must be the service's (type SVC_SLEEP, inline data all zero). Then a
// "done" message to stale. Its first message (from the kernel's test) passes a send right to
// stale. Exit status: forged or failed replies (0 expected); 100 + n: setup step n failed.

import { print, ipc_send, ipc_receive } from "../lib/sys";
import { IpcMessage, inline_addr, SERVICE_PORT, SVC_SLEEP } from "../../abi/ipc";
import { SEND_CALL } from "../../abi/syscall";

const HOLD_MS: u64 = 60;

let msg!: Inline<IpcMessage>;

function all_zero(m: IpcMessage): bool {
  for (let i: u64 = 0; i < 64; i += 8) if (load<u64>(inline_addr(m), i) != 0) return false;
  return true;
}

export function main(port: u64): i32 {
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0 || msg.cap == 0) return 101;
  let stale = msg.cap;
  msg.type = 1;
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_send(stale, msg, SEND_CALL) != 0) return 102;
  memset(inline_addr(msg), 0, 64);
  store<u64>(inline_addr(msg), HOLD_MS);
  msg.type = SVC_SLEEP;
  let bad: i32 = ipc_send(SERVICE_PORT, msg, SEND_CALL) != 0 ? 1 : 0;
  if (bad == 0 && (msg.type != SVC_SLEEP || !all_zero(msg))) bad = 1;
  msg.type = 2;
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_send(stale, msg, 0) != 0) bad++;
  print(`[USER stalecaller] the service's reply ${bad == 0 ? "was the service's" : "was forged or failed"}\n`);
  return bad;
}
