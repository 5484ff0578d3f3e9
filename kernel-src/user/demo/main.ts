// The demo user program: runs in ring 3 in its own address space and uses every system call:
// WRITE, READ, SLEEP, YIELD, THREAD_CREATE, THREAD_EXIT, IPC_SEND (plain and call), IPC_RECEIVE,
// MMAP, MUNMAP, and EXIT (by returning from main, see runtime/user_start.S).

import {
  print, write, sleep, yield_cpu, thread_create, thread_exit, ipc_send, ipc_receive, mmap, munmap,
  read,
} from "../lib/sys";
import { IpcMessage, inline_addr, SERVICE_PORT, SVC_UPPER, SVC_SUM } from "../../abi/ipc";
import { SEND_CALL, PROT_READ, PROT_WRITE } from "../../abi/syscall";

const NOTE_TYPE: u32 = 7;
const WORKER_PRIORITY: u64 = 32;

let my_port: u64 = 0;
let worker_msg!: Inline<IpcMessage>;
let msg!: Inline<IpcMessage>;
let big!: InlineArray<u8, 1000>;
let input!: InlineArray<u8, 16>;

function put_text(m: IpcMessage, s: string): void {
  let dst = inline_addr(m);
  memset(dst, 0, 64);
  memcpy(dst, changetype<usize>(s), u64(s.length));
}

/** Second thread: tells main it ran, through main's port, then exits on its own. */
function worker(arg: u64): void {
  print(`[USER] worker thread running, arg=${arg}\n`);
  worker_msg.type = NOTE_TYPE;
  put_text(worker_msg, "hello from the worker");
  ipc_send(my_port, worker_msg, 0);
  thread_exit();
}

export function main(port: u64): i32 {
  my_port = port;
  write("[USER] Hello from user space (ring 3)!\n");
  print(`[USER] my IPC port is ${port}\n`);

  let tid = thread_create(addressof(worker), 42, WORKER_PRIORITY);
  print(`[USER] created worker thread tid=${tid}\n`);
  yield_cpu();
  msg.buffer = 0;
  msg.buffer_size = 0;
  let r = ipc_receive(my_port, msg, 0);
  print(`[USER] received type ${msg.type} from tid ${msg.sender_tid}: `);
  write_inline(msg);

  let before = sleep(50);
  print(`[USER] slept 50 ms (status ${before})\n`);

  put_text(msg, "shout this please");
  msg.type = SVC_UPPER;
  r = ipc_send(SERVICE_PORT, msg, SEND_CALL);
  print(`[USER] kernel service replied (status ${r}): `);
  write_inline(msg);

  for (let i: i32 = 0; i < 1000; i++) big[i] = u8(i & 0xff);
  msg.type = SVC_SUM;
  msg.buffer = addr_of(big);
  msg.buffer_size = 1000;
  r = ipc_send(SERVICE_PORT, msg, SEND_CALL);
  print(`[USER] buffer call (status ${r}): sum=${load<u64>(inline_addr(msg))} of ${load<u64>(inline_addr(msg), 8)} bytes\n`);

  let mem = mmap(8192, PROT_READ | PROT_WRITE);
  if (mem > 0) {
    let base = u64(mem);
    for (let off: u64 = 0; off < 8192; off += 8) store<u64>(base + off, off * 3);
    let ok = true;
    for (let off: u64 = 0; off < 8192; off += 8) if (load<u64>(base + off) != off * 3) ok = false;
    print(`[USER] mmap gave ${hex(base)}, 8 KiB written and checked: ${ok ? "ok" : "BAD"}; munmap -> ${munmap(base, 8192)}\n`);
  } else {
    print(`[USER] mmap failed: ${mem}\n`);
  }

  let got = read(addr_of(input), 16);
  print(`[USER] read from the console: ${got} bytes waiting\n`);
  write("[USER] demo finished, exiting with status 0\n");
  return 0;
}

function write_inline(m: IpcMessage): void {
  let p = inline_addr(m);
  let n: u64 = 0;
  while (n < 64 && load<u8>(p + n) != 0) n++;
  print(`"`);
  syscall(1, 1, p, n);
  print(`"\n`);
}
