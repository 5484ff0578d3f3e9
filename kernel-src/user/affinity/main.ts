// SYS_SCHED_SETAFFINITY and SYS_GETCPU from ring 3 (KTAP smp_user_affinity): the program pins
// itself to CPU 0, 1, 2, ... in turn until a mask naming no running CPU is refused, and after
// each move SYS_GETCPU must name the CPU it asked for. Exit status 0 when all of that held.

import { sched_setaffinity, getcpu, print } from "../lib/sys";
import { E_INVAL } from "../../abi/errors";

export function main(port: u64): i32 {
  let n: u64 = 0;
  while (n < 64 && sched_setaffinity(u64(1) << n) == 0) {
    if (u64(getcpu()) != n) return 1; // the move happened before the system call returned
    n++;
  }
  if (n == 0 || n == 64) return 2;
  if (sched_setaffinity(u64(1) << n) != E_INVAL) return 3; // the first CPU that does not run
  if (sched_setaffinity(0) != E_INVAL) return 4;
  if (u64(getcpu()) != n - 1) return 5; // a refused mask changed nothing
  print(`[USER affinity] visited ${n} CPUs\n`);
  return 0;
}
