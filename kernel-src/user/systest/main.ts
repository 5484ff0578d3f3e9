// System-call error paths from ring 3: bad numbers, bad pointers (null, kernel, unmapped,
// wrapping, read-only, non-executable), bad flags, bad ports, limits. Each check prints a line;
// the exit status is the number of failed checks (the kernel's self-test expects 0).

import { print, write, sleep, thread_create, ipc_send, ipc_receive, mmap, munmap, read, pin_to_this_cpu } from "../lib/sys";
import { IpcMessage, SERVICE_PORT, SVC_UPPER, SVC_SLEEP, IPC_NONBLOCK, inline_addr } from "../../abi/ipc";
import {
  SYS_WRITE, SYS_READ, SYS_IPC_SEND, SYS_IPC_RECEIVE, SYS_THREAD_CREATE, SYS_THREAD_EXIT, SEND_CALL, PROT_READ,
  PROT_WRITE,
} from "../../abi/syscall";
import { E_INVAL, E_FAULT, E_NOSYS, E_BADPORT, E_FULL, E_TOOBIG, E_AGAIN, E_BADF } from "../../abi/errors";

const KERNEL_ADDR: u64 = 0xffffffff80100000;
const UNMAPPED: u64 = 0x10000000;
const NEAR_TOP: u64 = 0x00007ffffffff800;
const NON_CANONICAL: u64 = 0x0000800000000000;

let failures: i32 = 0;
let checks: i32 = 0;
let msg!: Inline<IpcMessage>;

function expect(name: string, got: i64, want: i64): void {
  checks++;
  if (got != want) {
    failures++;
    print(`[USER systest] FAIL ${name}: got ${got}, want ${want}\n`);
  }
}

function code_addr(): u64 {
  return addressof(main);
}

export function main(port: u64): i32 {
  // Its threads too: the blocked-send checks rely on a new thread running (and blocking) while
  // main sleeps, which on another CPU of a busy host it may not have done yet.
  pin_to_this_cpu();
  let m = changetype<usize>(msg);
  // numbers
  expect("syscall 99", syscall(99), E_NOSYS);
  expect("syscall 3", syscall(3), E_NOSYS);
  expect("syscall 4", syscall(4), E_NOSYS);
  expect("syscall -1", syscall(0xffffffffffffffff), E_NOSYS);
  // write
  expect("write null", syscall(SYS_WRITE, 1, 0, 4), E_FAULT);
  expect("write kernel", syscall(SYS_WRITE, 1, KERNEL_ADDR, 4), E_FAULT);
  expect("write unmapped", syscall(SYS_WRITE, 1, UNMAPPED, 4), E_FAULT);
  expect("write non-canonical", syscall(SYS_WRITE, 1, NON_CANONICAL, 4), E_FAULT);
  expect("write wraps", syscall(SYS_WRITE, 1, NEAR_TOP, 0x1000), E_FAULT);
  expect("write huge wrap", syscall(SYS_WRITE, 1, 0x400000, 0xffffffffffffff00), E_INVAL);
  expect("write bad fd", syscall(SYS_WRITE, 7, changetype<usize>("x"), 1), E_BADF);
  expect("write too long", syscall(SYS_WRITE, 1, changetype<usize>("x"), 100000), E_INVAL);
  expect("write ok", write("[USER systest] write ok\n"), 24);
  // read
  expect("read into code", syscall(SYS_READ, 0, code_addr(), 4), E_FAULT);
  expect("read into kernel", syscall(SYS_READ, 0, KERNEL_ADDR, 4), E_FAULT);
  expect("read bad fd", syscall(SYS_READ, 3, m, 4), E_BADF);
  expect("read ok", read(m, 0), 0);
  // sleep
  expect("sleep too long", sleep(0xffffffffff), E_INVAL);
  expect("sleep ok", sleep(1), 0);
  // thread_create
  expect("thread kernel entry", thread_create(KERNEL_ADDR, 0, 10), E_FAULT);
  expect("thread data entry", thread_create(m, 0, 10), E_FAULT);
  expect("thread unmapped entry", thread_create(UNMAPPED, 0, 10), E_FAULT);
  expect("thread priority 0", thread_create(code_addr(), 0, 0), E_INVAL);
  expect("thread priority 200", thread_create(code_addr(), 0, 200), E_INVAL);
  expect("thread raw bad", syscall(SYS_THREAD_CREATE, 0, 0, 10), E_FAULT);
  // ipc_send
  msg.buffer = 0;
  msg.buffer_size = 0;
  expect("send bad port 0", ipc_send(0, msg, 0), E_BADPORT);
  expect("send bad port 200", ipc_send(200, msg, 0), E_BADPORT);
  expect("send bad port 99999", ipc_send(99999, msg, 0), E_BADPORT);
  expect("send bad flags", ipc_send(port, msg, 64), E_INVAL);
  expect("send call+reply", ipc_send(port, msg, 6), E_INVAL);
  expect("send null msg", syscall(SYS_IPC_SEND, port, 0, 0), E_FAULT);
  expect("send kernel msg", syscall(SYS_IPC_SEND, port, KERNEL_ADDR, 0), E_FAULT);
  expect("call read-only msg", syscall(SYS_IPC_SEND, SERVICE_PORT, code_addr(), SEND_CALL), E_FAULT);
  msg.buffer = UNMAPPED;
  msg.buffer_size = 16;
  expect("send bad buffer", ipc_send(port, msg, 0), E_FAULT);
  msg.buffer = m;
  msg.buffer_size = 1 << 20;
  expect("send huge buffer", ipc_send(port, msg, 0), E_TOOBIG);
  msg.buffer = 0;
  msg.buffer_size = 0;
  // ipc_receive
  expect("receive not my port", ipc_receive(SERVICE_PORT, msg, IPC_NONBLOCK), E_BADPORT);
  expect("receive bad port", ipc_receive(77, msg, IPC_NONBLOCK), E_BADPORT);
  expect("receive empty", ipc_receive(port, msg, IPC_NONBLOCK), E_AGAIN);
  expect("receive bad flags", ipc_receive(port, msg, 8), E_INVAL);
  expect("receive null msg", syscall(SYS_IPC_RECEIVE, port, 0, IPC_NONBLOCK), E_FAULT);
  expect("receive into code", syscall(SYS_IPC_RECEIVE, port, code_addr(), IPC_NONBLOCK), E_FAULT);
  msg.buffer = code_addr();
  msg.buffer_size = 64;
  expect("receive buffer read-only", ipc_receive(port, msg, IPC_NONBLOCK), E_FAULT);
  msg.buffer = 0;
  msg.buffer_size = 0;
  // a full queue, then drain it
  let sent: i32 = 0;
  let r: i64 = 0;
  while (sent < 100) {
    r = ipc_send(port, msg, IPC_NONBLOCK);
    if (r != 0) break;
    sent++;
  }
  expect("queue fills with E_FULL", r, E_FULL);
  expect("queue capacity", i64(sent), 16);
  for (let i: i32 = 0; i < sent; i++) ipc_receive(port, msg, 0);
  expect("queue drained", ipc_receive(port, msg, IPC_NONBLOCK), E_AGAIN);
  // call/reply through the kernel service
  msg.type = SVC_UPPER;
  store<u64>(changetype<usize>(msg) + offsetof<IpcMessage>("inline_data"), 0x6b6f); // "ok"
  expect("service call", ipc_send(SERVICE_PORT, msg, SEND_CALL), 0);
  expect("service reply", i64(load<u16>(changetype<usize>(msg) + offsetof<IpcMessage>("inline_data"))), 0x4b4f);
  // mmap / munmap
  expect("mmap length 0", mmap(0, PROT_READ), E_INVAL);
  expect("mmap hint", syscall(11, 0x1000, 4096, PROT_READ), E_INVAL);
  expect("mmap bad prot", mmap(4096, 64), E_INVAL);
  expect("mmap too big", mmap(0x10000000000, PROT_READ), E_INVAL);
  let a = mmap(8192, PROT_READ | PROT_WRITE);
  checks++;
  if (a <= 0) {
    failures++;
    print(`[USER systest] FAIL mmap: ${a}\n`);
  } else {
    let base = u64(a);
    store<u64>(base + 4096, 77);
    expect("mmap memory", i64(load<u64>(base + 4096)), 77);
    // a message in the mapping: the kernel remembers the checked page until something is unmapped
    let mm = changetype<IpcMessage>(base);
    mm.type = SVC_UPPER;
    expect("call from mmap memory", ipc_send(SERVICE_PORT, mm, SEND_CALL), 0);
    expect("again (checked page remembered)", ipc_send(SERVICE_PORT, mm, SEND_CALL), 0);
    expect("munmap unaligned", munmap(base + 1, 4096), E_INVAL);
    expect("munmap outside", munmap(0x400000, 4096), E_INVAL);
    expect("munmap length 0", munmap(base, 0), E_INVAL);
    expect("munmap wrapping range", munmap(0xfffffffffffff000, 4096), E_INVAL);
    expect("munmap past the mappings", munmap(base + 0x100000000, 4096), E_INVAL);
    expect("munmap ok", munmap(base, 8192), 0);
    expect("munmap twice", munmap(base, 8192), E_INVAL);
    expect("write from unmapped", syscall(SYS_WRITE, 1, base, 8), E_FAULT);
    expect("call from unmapped message", ipc_send(SERVICE_PORT, mm, SEND_CALL), E_FAULT);
    let ro = mmap(4096, PROT_READ);
    expect("read into read-only mmap", syscall(SYS_READ, 0, u64(ro), 8), E_FAULT);
    munmap(u64(ro), 4096);
  }
  unmap_under_call();
  unmap_under_blocked_send(port);
  print(`[USER systest] ${checks} checks, ${failures} failed\n`);
  return failures;
}

let sleeper_result: i64 = 0;
let sleeper_done = false;

/** Calls the kernel service with the SVC_SLEEP message at page (the call fast path). */
function sleeper(page: u64): void {
  sleeper_result = ipc_send(SERVICE_PORT, changetype<IpcMessage>(page), SEND_CALL);
  sleeper_done = true;
  syscall(SYS_THREAD_EXIT);
}

/**
 * A call handed straight to the kernel service (which writes a fast reply into the caller's page
 * through the direct map) whose page is unmapped while the service holds the call: the caller
 * gets E_FAULT, and the reply must not land in the freed frame, which the next mmap is likely
 * to hand back (filled with a pattern here and checked after the reply).
 */
function unmap_under_call(): void {
  let a = mmap(4096, PROT_READ | PROT_WRITE);
  if (a <= 0) {
    expect("mmap for the call", a, 0);
    return;
  }
  let page = u64(a);
  let mm = changetype<IpcMessage>(page);
  mm.type = SVC_SLEEP;
  store<u64>(inline_addr(mm), 30);
  mm.buffer = 0;
  mm.buffer_size = 0;
  expect("fast call again (warm)", ipc_send(SERVICE_PORT, changetype<IpcMessage>(page), SEND_CALL), 0);
  store<u64>(inline_addr(mm), 30);
  sleeper_done = false;
  expect("sleeper thread", i64(thread_create(addressof(sleeper), page, 10) > 0), 1);
  sleep(5); // the sleeper calls; the service sleeps 30 ms holding the call
  expect("call still held", i64(sleeper_done), 0);
  expect("munmap under a fast call", munmap(page, 4096), 0);
  let b = mmap(4096, PROT_READ | PROT_WRITE);
  if (b <= 0) {
    expect("mmap after the munmap", b, 0);
    return;
  }
  let fresh = u64(b);
  for (let off: u64 = 0; off < 4096; off += 8) store<u64>(fresh + off, 0x5a5a5a5a5a5a5a5a);
  while (!sleeper_done) sleep(5);
  expect("reply into an unmapped page (fast call)", sleeper_result, E_FAULT);
  let intact: i64 = 1;
  for (let off: u64 = 0; off < 4096; off += 8) if (load<u64>(fresh + off) != 0x5a5a5a5a5a5a5a5a) intact = 0;
  expect("freed frame untouched by the reply", intact, 1);
  munmap(fresh, 4096);
}

let sender_result: i64 = 0;
let sender_done = false;
let big!: Inline<IpcMessage>; // the blocked sender's message
let got!: Inline<IpcMessage>; // what unmap_under_blocked_send receives into
let landing!: InlineArray<u8, 8192>;

/** Sends `big` (its buffer set up by the caller) to port: blocks while the queue is full. */
function big_sender(port: u64): void {
  sender_result = ipc_send(port, big, 0);
  sender_done = true;
  syscall(SYS_THREAD_EXIT);
}

/**
 * A sender blocked on a full queue whose buffer is unmapped by another thread before a slot
 * frees: the kernel took the buffer at send time (before blocking), so the send succeeds with
 * the contents of that moment and nothing reads the unmapped pages.
 */
function unmap_under_blocked_send(port: u64): void {
  let a = mmap(8192, PROT_READ | PROT_WRITE);
  if (a <= 0) {
    expect("mmap for the blocked send", a, 0);
    return;
  }
  let buf = u64(a);
  for (let off: u64 = 0; off < 8192; off += 8) store<u64>(buf + off, 0x1234000000000000 + off);
  msg.buffer = 0;
  msg.buffer_size = 0;
  let queued: i64 = 0;
  while (ipc_send(port, msg, IPC_NONBLOCK) == 0) queued++; // fill our own port's queue
  big.type = 77;
  big.buffer = buf;
  big.buffer_size = 8192;
  sender_done = false;
  expect("blocked sender thread", i64(thread_create(addressof(big_sender), port, 10) > 0), 1);
  sleep(5); // the sender finds the queue full and blocks
  expect("sender blocked", i64(sender_done), 0);
  expect("munmap under a blocked send", munmap(buf, 8192), 0);
  got.buffer = 0;
  got.buffer_size = 0;
  expect("receive frees a slot", ipc_receive(port, got, IPC_NONBLOCK), 0);
  while (!sender_done) sleep(5);
  expect("blocked send with an unmapped buffer", sender_result, 0);
  let drained: i64 = 0;
  let last_ok: i64 = 0;
  while (true) {
    got.buffer = changetype<usize>(landing);
    got.buffer_size = 8192;
    if (ipc_receive(port, got, IPC_NONBLOCK) != 0) break;
    drained++;
    if (got.type == 77) {
      last_ok = i64(got.buffer_size == 8192 && load<u64>(changetype<usize>(landing) + 8184) == 0x1234000000000000 + 8184);
    }
  }
  expect("queue drained", drained, queued);
  expect("the blocked send's buffer as it was at send time", last_ok, 1);
}
