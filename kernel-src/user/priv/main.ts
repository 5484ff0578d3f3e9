// A user program that runs a privileged instruction (hlt): #GP in ring 3, so the kernel kills it.

import { write } from "../lib/sys";

export function main(port: u64): i32 {
  write("[USER priv] about to execute hlt in ring 3\n");
  hlt();
  write("[USER priv] still alive: hlt did not fault\n");
  return 1;
}
