// A fork bomb, for the kernel's test (test/vm_tests.ts): every process forks as fast as it can;
// the kernel's process limit (MAX_PROCESSES) must stop it with E_AGAIN, the kernel must stay up,
// and everything must be given back when they all exit. Each process exits after its first
// refused fork (and a short sleep, so the limit is really reached).
// Exit status: 0 when a fork was refused with E_AGAIN, 1 if no limit was met.

import { fork, sleep, exit } from "../lib/sys";
import { E_AGAIN } from "../../abi/errors";

export function main(port: u64): i32 {
  for (let i: i32 = 0; i < 1000; i++) {
    let r = fork();
    if (r == E_AGAIN) {
      sleep(50);
      return 0;
    }
    if (r < 0) return 2;
  }
  return 1;
}
