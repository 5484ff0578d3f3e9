// Hostile-process test: ports can be named only through capabilities this process holds. Guessed
// handles, the kernel's own port numbers and rights we lack are refused with E_BADPORT; a send
// right passed in a message arrives as a handle of ours; a right in flight when the port is
// revoked arrives as nothing; a dropped port names nothing; ports beyond the limit are refused.
// Exit status: failed checks (0 expected).

import { print, ipc_send, ipc_receive, port_create, cap_drop, cap_revoke } from "../lib/sys";
import { IpcMessage, IPC_NONBLOCK, IPC_FLAG_CAP, SERVICE_PORT, OWN_PORT } from "../../abi/ipc";
import { SEND_GRANT, SEND_CALL } from "../../abi/syscall";
import { E_BADPORT, E_NOMEM, E_AGAIN } from "../../abi/errors";
import { PROC_MAX_PORTS, PROC_MAX_CAPS } from "../../abi/limits";

let msg!: Inline<IpcMessage>;
let failures: i32 = 0;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  failures++;
  print(`[USER capforge] FAIL ${what}: got ${got}, want ${want}\n`);
}

function clear(m: IpcMessage): void {
  m.flags = 0;
  m.cap = 0;
  m.buffer = 0;
  m.buffer_size = 0;
}

export function main(port: u64): i32 {
  expect("our own port is OWN_PORT", i64(port), i64(OWN_PORT));
  // every handle we were not given names nothing, for sends, calls and receives
  for (let h: u64 = 0; h < PROC_MAX_CAPS + 8; h++) {
    if (h == SERVICE_PORT || h == OWN_PORT) continue;
    clear(msg);
    expect("send to a guessed handle", ipc_send(h, msg, IPC_NONBLOCK), E_BADPORT);
    expect("call a guessed handle", ipc_send(h, msg, SEND_CALL), E_BADPORT);
    expect("receive on a guessed handle", ipc_receive(h, msg, IPC_NONBLOCK), E_BADPORT);
  }
  expect("huge handle", ipc_send(0xffffffffffffffff, msg, IPC_NONBLOCK), E_BADPORT);
  expect("receive on the service (a send right only)", ipc_receive(SERVICE_PORT, msg, IPC_NONBLOCK), E_BADPORT);
  // passing a right we do not hold
  clear(msg);
  msg.cap = 40;
  expect("grant a handle we lack", ipc_send(OWN_PORT, msg, SEND_GRANT | IPC_NONBLOCK), E_BADPORT);
  // passing a right: it arrives as a handle of the receiver's (here: ours, the same slot)
  let p = port_create();
  expect("port_create", i64(p > 0), 1);
  clear(msg);
  msg.cap = u64(p);
  expect("grant our new port", ipc_send(OWN_PORT, msg, SEND_GRANT), 0);
  clear(msg);
  expect("receive the grant", ipc_receive(OWN_PORT, msg, 0), 0);
  expect("flag", i64(msg.flags & IPC_FLAG_CAP), i64(IPC_FLAG_CAP));
  expect("granted handle", i64(msg.cap), p);
  // a plain message carries no capability, whatever its cap field said
  clear(msg);
  msg.cap = u64(p);
  expect("plain send", ipc_send(OWN_PORT, msg, 0), 0);
  clear(msg);
  msg.cap = 77;
  expect("receive plain", ipc_receive(OWN_PORT, msg, 0), 0);
  expect("no capability", i64(msg.cap), 0);
  // revoke with the right in flight: it arrives as nothing; our own handle still works
  clear(msg);
  msg.cap = u64(p);
  expect("grant again", ipc_send(OWN_PORT, msg, SEND_GRANT), 0);
  expect("revoke", cap_revoke(u64(p)), 0);
  clear(msg);
  expect("receive the revoked grant", ipc_receive(OWN_PORT, msg, 0), 0);
  expect("revoked right arrives as nothing", i64(msg.cap), 0);
  expect("revoked right: no flag", i64(msg.flags & IPC_FLAG_CAP), 0);
  clear(msg);
  expect("our handle survives revoke", ipc_send(u64(p), msg, IPC_NONBLOCK), 0);
  expect("revoke needs the receive right", cap_revoke(SERVICE_PORT), E_BADPORT);
  // dropping the port: it is gone
  expect("drop", cap_drop(u64(p)), 0);
  expect("send to the dropped port", ipc_send(u64(p), msg, IPC_NONBLOCK), E_BADPORT);
  expect("drop twice", cap_drop(u64(p)), E_BADPORT);
  // the port limit: our own port counts
  let made: u64 = 0;
  let r: i64 = 0;
  while (made < 100) {
    r = port_create();
    if (r <= 0) break;
    made++;
  }
  expect("ports beyond the limit", r, E_NOMEM);
  expect("ports within the limit", i64(made + 1), i64(PROC_MAX_PORTS));
  expect("own port still empty", ipc_receive(OWN_PORT, msg, IPC_NONBLOCK), E_AGAIN);
  print(`[USER capforge] ${failures} failed\n`);
  return failures;
}
