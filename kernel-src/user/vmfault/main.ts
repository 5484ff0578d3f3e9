// Bad accesses to memory the process does have in some form, for the kernel's test
// (test/vm_tests.ts): four forked children each try one and must be killed with the reason named
// (write to a read-only mapping, a jump into non-executable memory, the stack's guard page, an
// address with no mapping), while the parent and the kernel go on.
// Exit status: 0 when every fork worked and no child came back from its bad access.

import { write, fork, sleep, mmap, exit } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";

type Fn = () => void;

const STACK_TOP: u64 = 0x00007fffffff0000; // proc/process.ts USER_STACK_TOP: the first thread's stack
const STACK_SIZE: u64 = 65536;

function bad_access(k: i32): void {
  if (k == 0) {
    let ro = u64(mmap(4096, PROT_READ));
    store<u64>(ro, 1); // write to a read-only mapping
  } else if (k == 1) {
    let rw = u64(mmap(4096, PROT_READ | PROT_WRITE));
    store<u8>(rw, 0xc3); // ret
    let f = changetype<Fn>(rw);
    f(); // instruction fetch from a non-executable mapping
  } else if (k == 2) {
    store<u64>(STACK_TOP - STACK_SIZE - 8, 1); // the guard page below the stack
  } else {
    store<u64>(0x0000300000000000, 1); // no mapping at all
  }
  write("[USER vmfault] survived a bad access\n");
  exit(1);
}

export function main(port: u64): i32 {
  for (let k: i32 = 0; k < 4; k++) {
    let pid = fork();
    if (pid < 0) return 10;
    if (pid == 0) bad_access(k);
  }
  sleep(200);
  return 0;
}
