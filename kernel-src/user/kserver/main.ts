// Hostile-process test, the server half of user/kvictim: receives kvictim's call (and with it the
// reply right), waits while kvictim is killed, then replies, with SEND_REPLY and with
// SYS_IPC_REPLY_WAIT: both must fail cleanly (E_INVAL: the caller is gone), and our port must stay
// usable. Exit status: failed checks (0 expected).

import { print, ipc_send, ipc_receive, ipc_reply_wait, sleep } from "../lib/sys";
import { IpcMessage, IPC_NONBLOCK, IPC_FLAG_CALL } from "../../abi/ipc";
import { SEND_REPLY } from "../../abi/syscall";
import { E_INVAL, E_AGAIN } from "../../abi/errors";

let msg!: Inline<IpcMessage>;
let failures: i32 = 0;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  failures++;
  print(`[USER kserver] FAIL ${what}: got ${got}, want ${want}\n`);
}

export function main(port: u64): i32 {
  msg.buffer = 0;
  msg.buffer_size = 0;
  expect("receive the call", ipc_receive(port, msg, 0), 0);
  expect("it is a call", i64(msg.flags & IPC_FLAG_CALL), i64(IPC_FLAG_CALL));
  sleep(200); // kvictim is killed meanwhile
  expect("reply after the caller was killed", ipc_send(0, msg, SEND_REPLY), E_INVAL);
  expect("the same through SYS_IPC_REPLY_WAIT (no wait after it)", ipc_reply_wait(port, msg, msg), E_INVAL);
  expect("nothing else queued", ipc_receive(port, msg, IPC_NONBLOCK), E_AGAIN);
  print(`[USER kserver] ${failures} failed\n`);
  return failures;
}
