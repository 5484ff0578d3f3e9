// Hostile-process test of the page quota (PROC_MAX_PAGES, proc/quota.ts), for the kernel's test
// (test/vm_tests.ts hostile_page_quota): we map memory until the kernel says E_NOMEM, then try
// every other way to get pages charged (a shared-memory object, a thread stack, a buffer mapped
// in by IPC); each must fail cleanly (the mapped buffer arrives as a copy instead) while memory is
// still free (the kernel's test checks that while we wait on our port). Pages already mapped
// still fault in; unmapping gives room back. Exit status: failed checks.

import { print, mmap, munmap, shm_create, thread_create, ipc_send, ipc_receive } from "../lib/sys";
import { IpcMessage, OWN_PORT, IPC_RECEIVE_MAP, IPC_FLAG_MAPPED } from "../../abi/ipc";
import { PROT_READ, PROT_WRITE, SEND_MAP } from "../../abi/syscall";
import { E_NOMEM } from "../../abi/errors";
import { PROC_MAX_PAGES } from "../../abi/limits";

const MIB: u64 = 1024 * 1024;
const STACK_PAGES: u64 = 16; // our one thread's stack
let msg!: Inline<IpcMessage>;
let chunks!: InlineArray<u64, 128>;
let failures: i32 = 0;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  failures++;
  print(`[USER pagehog] FAIL ${what}: got ${got}, want ${want}\n`);
}

function worker(arg: u64): void {}

export function main(port: u64): i32 {
  let n: i32 = 0;
  while (n < 128) {
    let r = mmap(MIB, PROT_READ | PROT_WRITE);
    if (r <= 0) {
      expect("the first refused mmap", r, E_NOMEM);
      break;
    }
    chunks[n] = u64(r);
    n++;
  }
  let small: u64 = 0;
  while (mmap(4096, PROT_READ | PROT_WRITE) > 0) small++;
  expect("pages mapped up to the quota", i64(u64(n) * 256 + small), i64(PROC_MAX_PAGES - STACK_PAGES));
  expect("a shared-memory object over the quota", shm_create(4096), E_NOMEM);
  expect("a thread (its stack) over the quota", thread_create(changetype<usize>(worker), 0, 10), E_NOMEM);
  msg.buffer = 0;
  msg.buffer_size = 0;
  expect("the kernel's go-ahead", ipc_receive(OWN_PORT, msg, 0), 0); // it checks memory is still free
  for (let i: i32 = 0; i < n; i++) store<u64>(chunks[i] + 4096, u64(i)); // first touches: never refused
  // a buffer moved by mapping cannot be charged to us: it arrives as a copy
  for (let off: u64 = 0; off < 65536; off += 8) store<u64>(chunks[0] + off, off);
  msg.buffer = chunks[0];
  msg.buffer_size = 65536;
  expect("send a mapped buffer to ourselves", ipc_send(OWN_PORT, msg, SEND_MAP), 0);
  msg.buffer = chunks[1];
  msg.buffer_size = 65536;
  expect("receive it", ipc_receive(OWN_PORT, msg, IPC_RECEIVE_MAP), 0);
  expect("not mapped: copied into our buffer", i64(msg.buffer == chunks[1] && (msg.flags & IPC_FLAG_MAPPED) == 0), 1);
  expect("the bytes", i64(load<u64>(chunks[1] + 8 * 100)), 800);
  // unmapping gives room back
  expect("munmap", munmap(chunks[0], MIB), 0);
  expect("mmap again after munmap", i64(mmap(MIB, PROT_READ | PROT_WRITE) > 0), 1);
  expect("but no more", mmap(MIB, PROT_READ | PROT_WRITE), E_NOMEM);
  if (failures == 0) print(`[USER pagehog] ${n} MiB and ${small} pages mapped, then E_NOMEM everywhere\n`);
  return failures;
}
