// A user page unmapped on one CPU faults on every CPU (KTAP smp_user_tlb_shootdown). The kernel's
// test sends the number of a CPU as the type of a message to our port: a reader thread pinned
// there reads a page over and over (its TLB keeps the entry) while main, pinned to CPU 0, unmaps
// the page and then says so. The reader's next read must fault, and the fault kills the process
// (the status the test expects). A read that succeeds instead came through a stale TLB entry:
// the reader reports it and main ends with status 1 (2 when nothing happened at all).

import { sched_setaffinity, thread_create, thread_exit, mmap, munmap, ipc_receive, sleep, print } from "../lib/sys";
import { PROT_READ, PROT_WRITE } from "../../abi/syscall";
import { IpcMessage } from "../../abi/ipc";

const PRIORITY: u64 = 32;
const VALUE: u64 = 0x5ca1ab1e;

let page: u64 = 0;
let ready: u64 = 0; // atomic
let unmapped: u64 = 0; // atomic
let stale: u64 = 0; // atomic: what a read after the unmap saw, | 1
let msg!: Inline<IpcMessage>;

function reader(cpu: u64): void {
  sched_setaffinity(u64(1) << cpu);
  let sum: u64 = volatile_load<u64>(page);
  atomic_store<u64>(addr_of(ready), 1);
  while (atomic_load<u64>(addr_of(unmapped)) == 0) sum += volatile_load<u64>(page);
  let v = volatile_load<u64>(page); // must fault: the process ends here
  atomic_store<u64>(addr_of(stale), v | 1);
  thread_exit();
}

export function main(port: u64): i32 {
  if (ipc_receive(port, msg, 0) != 0) return 3;
  let cpu = u64(msg.type);
  sched_setaffinity(1);
  let a = mmap(4096, PROT_READ | PROT_WRITE);
  if (a <= 0) return 4;
  page = u64(a);
  store<u64>(page, VALUE);
  thread_create(addressof(reader), cpu, PRIORITY);
  while (atomic_load<u64>(addr_of(ready)) == 0) sleep(1);
  sleep(2); // the reader keeps reading meanwhile
  if (munmap(page, 4096) != 0) return 5;
  atomic_store<u64>(addr_of(unmapped), 1);
  for (let i = 0; i < 5000 && atomic_load<u64>(addr_of(stale)) == 0; i++) sleep(1);
  let s = atomic_load<u64>(addr_of(stale));
  print(`[USER tlbshoot] CPU ${cpu} read the unmapped page: ${s != 0 ? "yes, a stale TLB entry" : "no, but did not fault either"}\n`);
  return s != 0 ? 1 : 2;
}
