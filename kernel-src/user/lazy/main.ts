// Demand paging from ring 3, for the kernel's test (test/vm_tests.ts): mmap 64 MiB, touch one
// page in every MiB (64 pages: each first touch is a page fault that maps a zeroed frame), check
// the pages came zero-filled and keep what was written, then sleep while the kernel counts the
// frames the process holds (64 and a few table pages, not 16384), then read from a system call
// into an untouched page (the kernel faults it in for the copy), munmap, and a guard check: the
// unmapped range must now be gone (a second munmap is refused).
// Exit status: the number of checks that failed.

import { write, mmap, munmap, sleep, read } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";

const SIZE: u64 = 64 * 1024 * 1024;
const STEP: u64 = 1024 * 1024;

export function main(port: u64): i32 {
  let failures: i32 = 0;
  let base = mmap(SIZE, PROT_READ | PROT_WRITE);
  if (base <= 0) return 100;
  let b = u64(base);
  for (let off: u64 = 0; off < SIZE; off += STEP) {
    let p = b + off + 123 * 8;
    if (load<u64>(p) != 0) failures++; // zero-filled on first touch
    store<u64>(p, off ^ 0x5ca1ab1e);
  }
  for (let off: u64 = 0; off < SIZE; off += STEP) if (load<u64>(b + off + 123 * 8) != (off ^ 0x5ca1ab1e)) failures++;
  write("[USER lazy] 64 of 16384 pages touched\n");
  sleep(200); // the kernel test counts frames now
  // A system call writing into a page never touched: the kernel faults it in (0 bytes waiting is fine).
  if (read(b + SIZE - 4096, 16) < 0) failures++;
  if (munmap(b, SIZE) != 0) failures++;
  if (munmap(b, SIZE) == 0) failures++; // already gone
  if (failures != 0) write("[USER lazy] a check failed\n");
  return failures;
}
