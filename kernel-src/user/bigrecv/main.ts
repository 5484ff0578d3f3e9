// Large receives, for the kernel's test that a received buffer is copied out with interrupts on
// between pages (test/user_tests.ts): receive 64 KiB buffers on our port (from a kernel thread)
// into a buffer that straddles 17 pages, and check each word, until a message of type STOP_TYPE.
// Exit status: the number of messages that failed (or 1000 for no buffer).

import { mmap, munmap, ipc_receive, write } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";
import { IpcMessage, IPC_MAX_BUFFER } from "../../abi/ipc";

const STOP_TYPE: u32 = 0xffffffff;
const REGION: u64 = IPC_MAX_BUFFER + 8192;

let m!: Inline<IpcMessage>;

/** Words of the buffer of message `round` that are not (round << 32) | offset. */
function bad_words(dst: u64, round: u64): u64 {
  let bad: u64 = 0;
  for (let off: u64 = 0; off < IPC_MAX_BUFFER; off += 8) if (load<u64>(dst + off) != ((round << 32) | off)) bad++;
  return bad;
}

export function main(port: u64): i32 {
  let region = mmap(REGION, PROT_READ | PROT_WRITE);
  if (region <= 0) return 1000;
  let dst = u64(region) + 24;
  let failures: i32 = 0;
  while (true) {
    m.buffer = dst;
    m.buffer_size = IPC_MAX_BUFFER;
    if (ipc_receive(port, m, 0) != 0) {
      failures++;
      break;
    }
    if (m.type == STOP_TYPE) break;
    if (m.buffer_size != IPC_MAX_BUFFER || bad_words(dst, u64(m.type)) != 0) failures++;
  }
  munmap(u64(region), REGION);
  if (failures != 0) write("[USER bigrecv] a message failed\n");
  return failures;
}
