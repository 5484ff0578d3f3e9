// Test program: forks once the kernel's test has filled every free slot of our capability table
// (it sends us "go" when done). The child's own port needs a slot of the child's table, which
// holds copies of ours: none is free, so the fork must fail with E_NOMEM (it once succeeded and the
// child's port outlived it: no slot named it, and teardown destroys ports by their slots).
// Exit status: 0 when the fork was refused with E_NOMEM; 1 when it succeeded (the child exits at
// once with 0); 2 on another error; 100 when the "go" message did not arrive.

import { ipc_receive, fork, sleep, exit } from "../lib/sys";
import { IpcMessage } from "../../abi/ipc";
import { E_NOMEM } from "../../abi/errors";

let msg!: Inline<IpcMessage>;

export function main(port: u64): i32 {
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0) return 100;
  let r = fork();
  if (r == 0) exit(0); // the child
  if (r > 0) {
    sleep(20); // the child ends meanwhile
    return 1;
  }
  return r == E_NOMEM ? 0 : 2;
}
