// Long system calls from ring 3, for the kernel's preemptible-syscall test (test/mutex_tests.ts):
// ROUNDS times, mmap 64 MiB (16384 pages zeroed and mapped), write one byte into its first and
// last page, munmap it. The kernel's watcher thread checks that timer ticks preempt these calls.
// Exit status: the number of calls that failed.

import { write, mmap, munmap } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";

const ROUNDS: i32 = 3;
const SIZE: u64 = 64 * 1024 * 1024;

export function main(port: u64): i32 {
  let failures: i32 = 0;
  for (let i: i32 = 0; i < ROUNDS; i++) {
    let base = mmap(SIZE, PROT_READ | PROT_WRITE);
    if (base <= 0) {
      failures++;
      continue;
    }
    store<u8>(u64(base), 1);
    store<u8>(u64(base) + SIZE - 1, 2);
    if (munmap(u64(base), SIZE) != 0) failures++;
  }
  if (failures != 0) write("[USER longcall] a call failed\n");
  return failures;
}
