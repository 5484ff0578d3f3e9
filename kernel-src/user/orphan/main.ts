// Hostile-process test: a thread created just before its process exits, at a lower priority so
// that it has not run yet, must never run. Its first act would be a message to the watch port (a
// send right the kernel's test passes us in our first message), its second a receive that never
// ends. The kernel's test checks that the watch port stays empty and that the process is gone.

import { ipc_send, ipc_receive, thread_create, thread_exit, pin_to_this_cpu } from "../lib/sys";
import { IpcMessage } from "../../abi/ipc";

const CHILD_PRIORITY: u64 = 10;

let note!: Inline<IpcMessage>;
let my_port: u64 = 0;
let watch: u64 = 0;

function child(arg: u64): void {
  note.type = 1;
  note.cap = 0;
  note.buffer = 0;
  note.buffer_size = 0;
  ipc_send(watch, note, 0);
  ipc_receive(my_port, note, 0); // nothing ever comes: blocks for good
  thread_exit();
}

export function main(port: u64): i32 {
  pin_to_this_cpu(); // the child too: on another CPU it could run before we exit
  my_port = port;
  note.buffer = 0;
  note.buffer_size = 0;
  if (ipc_receive(port, note, 0) != 0 || note.cap == 0) return 2;
  watch = note.cap;
  if (thread_create(addressof(child), 0, CHILD_PRIORITY) <= 0) return 1;
  return 0; // SYS_EXIT: the child is killed before it ever ran
}
