// Long system calls from ring 3 on CPU 0, for the kernel's preemptible-syscall test (test/mutex_tests.ts):
// ROUNDS times, mmap 64 MiB (demand paged), write one byte into each of its 16384 pages (each
// first touch is a page fault that maps a zeroed frame), check the first and last, munmap it
// (16384 frames freed, page by page with interrupts on in between). The kernel's watcher thread checks that timer ticks preempt these calls.
// Then 64 KiB buffers (not page-aligned: the kernel copies them in a page at a time, with
// interrupts on in between) through our own port, checked word by word.
// Exit status: the number of calls (or buffer words) that failed.

import { write, mmap, munmap, ipc_send, ipc_receive, sched_setaffinity } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";
import { IpcMessage, IPC_NONBLOCK, IPC_MAX_BUFFER } from "../../abi/ipc";

const ROUNDS: i32 = 3;
const SIZE: u64 = 64 * 1024 * 1024;

export function main(port: u64): i32 {
  // On CPU 0, where the kernel's test runs its watcher: the test is about a tick preempting the
  // call on its own CPU (with several CPUs the watcher could just run on another one).
  sched_setaffinity(1);
  let failures: i32 = 0;
  for (let i: i32 = 0; i < ROUNDS; i++) {
    let base = mmap(SIZE, PROT_READ | PROT_WRITE);
    if (base <= 0) {
      failures++;
      continue;
    }
    for (let off: u64 = 0; off < SIZE; off += 4096) store<u8>(u64(base) + off, u8(off >> 12));
    if (load<u8>(u64(base)) != 0 || load<u8>(u64(base) + SIZE - 4096) != 255) failures++;
    if (load<u8>(u64(base) + 1) != 0) failures++; // the rest of a page is zero-filled
    if (munmap(u64(base), SIZE) != 0) failures++;
  }
  failures += big_buffers(port);
  if (failures != 0) write("[USER longcall] a call failed\n");
  return failures;
}

let out!: Inline<IpcMessage>;
let back!: Inline<IpcMessage>;

function big_buffers(port: u64): i32 {
  let region = mmap(2 * (IPC_MAX_BUFFER + 8192), PROT_READ | PROT_WRITE);
  if (region <= 0) return 1;
  let src = u64(region) + 1000; // straddles 17 pages
  let dst = u64(region) + IPC_MAX_BUFFER + 8192 + 24;
  let bad: i32 = 0;
  for (let round: u64 = 0; round < 4; round++) {
    for (let off: u64 = 0; off < IPC_MAX_BUFFER; off += 8) store<u64>(src + off, (round << 32) | off);
    out.type = u32(round);
    out.buffer = src;
    out.buffer_size = IPC_MAX_BUFFER;
    if (ipc_send(port, out, IPC_NONBLOCK) != 0) bad++;
    back.buffer = dst;
    back.buffer_size = IPC_MAX_BUFFER;
    if (ipc_receive(port, back, IPC_NONBLOCK) != 0 || back.buffer_size != IPC_MAX_BUFFER) bad++;
    for (let off: u64 = 0; off < IPC_MAX_BUFFER; off += 8) if (load<u64>(dst + off) != ((round << 32) | off)) bad++;
  }
  munmap(u64(region), 2 * (IPC_MAX_BUFFER + 8192));
  return bad;
}
