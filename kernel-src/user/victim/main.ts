// Hostile-process test, the victim half (user/forger is the attacker): calls the kernel service
// with SVC_SLEEP (a call held open 20 ms) ROUNDS times and checks that each reply is the service's
// (type SVC_SLEEP, inline data all zero). Exit status: replies that were not (0 expected).

import { print, ipc_send } from "../lib/sys";
import { IpcMessage, inline_addr, SERVICE_PORT, SVC_SLEEP } from "../../abi/ipc";
import { SEND_CALL } from "../../abi/syscall";

const ROUNDS: i32 = 20;
const HOLD_MS: u64 = 20;

let msg!: Inline<IpcMessage>;

function all_zero(m: IpcMessage): bool {
  for (let i: u64 = 0; i < 64; i += 8) if (load<u64>(inline_addr(m), i) != 0) return false;
  return true;
}

export function main(port: u64): i32 {
  let forged: i32 = 0;
  let failed: i32 = 0;
  for (let i: i32 = 0; i < ROUNDS; i++) {
    memset(inline_addr(msg), 0, 64);
    store<u64>(inline_addr(msg), HOLD_MS);
    msg.type = SVC_SLEEP;
    msg.buffer = 0;
    msg.buffer_size = 0;
    let r = ipc_send(SERVICE_PORT, msg, SEND_CALL);
    if (r != 0) failed++;
    else if (msg.type != SVC_SLEEP || !all_zero(msg)) forged++;
  }
  print(`[USER victim] ${ROUNDS} calls: ${forged} forged replies accepted, ${failed} failed\n`);
  return forged + failed;
}
