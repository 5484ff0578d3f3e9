// Hostile-process test: no user memory may be writable and executable. mmap with PROT_WRITE |
// PROT_EXEC must be refused (E_INVAL); code written into a writable page must not run (the call
// below faults with #PF: the kernel kills us with status -128 - 14, which its test expects).
// Exit status 1: write+execute memory was granted and code written at run time ran; 2: refused
// with another error; 3: the writable page executed.

import { print, mmap } from "../lib/sys";
import { PROT_READ, PROT_WRITE, PROT_EXEC } from "../../abi/syscall";
import { E_INVAL } from "../../abi/errors";

const RET: u8 = 0xc3;

type Code = () => void;

function run_at(addr: u64): void {
  store<u8>(addr, RET);
  let f = changetype<Code>(addr);
  f();
}

export function main(port: u64): i32 {
  let r = mmap(4096, PROT_READ | PROT_WRITE | PROT_EXEC);
  if (r >= 0) {
    run_at(u64(r));
    print(`[USER wx] mmap granted write+execute and code written at run time ran\n`);
    return 1;
  }
  if (r != E_INVAL) return 2;
  let w = mmap(4096, PROT_READ | PROT_WRITE);
  if (w < 0) return 2;
  run_at(u64(w)); // must fault: the page is not executable
  print(`[USER wx] a writable page executed\n`);
  return 3;
}
