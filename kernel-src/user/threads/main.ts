// Thread churn, for the kernel's test that an exited thread's user stack goes back at once
// (test/user_tests.ts): ROUNDS times, create a thread that checks most of its stack is fresh (zero) and writes it, tells main
// through main's port and exits; main waits for each before creating the next. Then sleep a
// little, all workers gone, so the kernel can look at the frame count before the process ends.
// Exit status: the number of rounds that failed.

import { thread_create, thread_exit, ipc_send, ipc_receive, sleep, write } from "../lib/sys";
import { IpcMessage } from "../../abi/ipc";

const ROUNDS: i32 = 200;
const PRIORITY: u64 = 32;
const DONE_TYPE: u32 = 5;
const BAD_TYPE: u32 = 6;
const PAGES: u64 = 13; // of the 16 pages of a stack (our frame is in the top one or two)

let my_port: u64 = 0;
let note!: Inline<IpcMessage>;
let got!: Inline<IpcMessage>;

/**
 * Checks that PAGES pages of our stack, below the page under our frame (a page of margin for our
 * own frame), read as zero (a reused stack slot gets fresh frames), then fills and rereads them;
 * the bad words. Only loads and stores: nothing is pushed below the stack pointer meanwhile.
 */
function touch(seed: u64): u64 {
  let top = (frame_address() & ~u64(4095)) - 4096;
  let bottom = top - PAGES * 4096;
  let bad: u64 = 0;
  for (let a = bottom; a < top; a += 8) {
    if (load<u64>(a) != 0) bad++;
    store<u64>(a, seed ^ a);
  }
  for (let a = bottom; a < top; a += 8) if (load<u64>(a) != (seed ^ a)) bad++;
  return bad;
}

function worker(arg: u64): void {
  note.type = touch(arg + 1) == 0 ? DONE_TYPE : BAD_TYPE;
  note.buffer = 0;
  note.buffer_size = 0;
  ipc_send(my_port, note, 0);
  thread_exit();
}

export function main(port: u64): i32 {
  my_port = port;
  let failures: i32 = 0;
  for (let i: i32 = 0; i < ROUNDS; i++) {
    if (thread_create(addressof(worker), u64(i), PRIORITY) <= 0) {
      failures++;
      continue;
    }
    got.buffer = 0;
    got.buffer_size = 0;
    if (ipc_receive(port, got, 0) != 0 || got.type != DONE_TYPE) failures++;
  }
  sleep(100);
  if (failures != 0) write("[USER threads] a round failed\n");
  return failures;
}
