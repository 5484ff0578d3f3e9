// fork from ring 3, for the kernel's test (test/vm_tests.ts): parent and child each write the same
// variables (a global in .data, a local on the stack, a page of mmap'd memory) after the fork and
// must see only their own writes; the child reports what it saw to the parent's port (which it
// knows: its memory is a copy), the parent checks its own view and the child's report.
// Exit status: the number of checks that failed.

import { write, print, fork, exit, mmap, ipc_send, ipc_receive } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";
import { IpcMessage } from "../../abi/ipc";

let counter: u64 = 41;
let msg!: Inline<IpcMessage>;

function inline_word(m: IpcMessage, i: u64): u64 {
  return changetype<u64>(m) + offsetof<IpcMessage>("inline_data") + i * 8;
}

export function main(port: u64): i32 {
  let failures: i32 = 0;
  let page = u64(mmap(4096, PROT_READ | PROT_WRITE));
  store<u64>(page, 7);
  let local: u64 = 1000;
  let pid = fork();
  if (pid < 0) return 100;
  if (pid == 0) { // the child
    counter += 100;
    local += 1;
    store<u64>(page, load<u64>(page) * 3);
    msg.type = 1;
    store<u64>(inline_word(msg, 0), counter);
    store<u64>(inline_word(msg, 1), local);
    store<u64>(inline_word(msg, 2), load<u64>(page));
    ipc_send(port, msg, 0);
    exit(0);
  }
  counter += 1;
  local += 2;
  store<u64>(page, load<u64>(page) + 1);
  msg.buffer = 0;
  msg.buffer_size = 0;
  if (ipc_receive(port, msg, 0) != 0) failures++;
  if (load<u64>(inline_word(msg, 0)) != 141 || load<u64>(inline_word(msg, 1)) != 1001 || load<u64>(inline_word(msg, 2)) != 21) {
    print(`[USER forker] child saw ${load<u64>(inline_word(msg, 0))} ${load<u64>(inline_word(msg, 1))} ${load<u64>(inline_word(msg, 2))}\n`);
    failures++;
  }
  if (counter != 42 || local != 1002 || load<u64>(page) != 8) {
    print(`[USER forker] parent sees ${counter} ${local} ${load<u64>(page)}\n`);
    failures++;
  }
  if (failures == 0) write("[USER forker] parent and child each saw only their own writes\n");
  return failures;
}
