// A user program that dereferences a bad pointer: the kernel must kill it (and only it).

import { write } from "../lib/sys";

const BAD_ADDRESS: u64 = 0xdead0000;

export function main(port: u64): i32 {
  write("[USER fault] about to write through a bad pointer\n");
  store<u64>(BAD_ADDRESS, 1);
  write("[USER fault] still alive: the kernel did not stop me\n");
  return 1;
}
