// A system-call fuzzer in ring 3. A seeded PRNG makes CALLS system calls with hostile arguments:
// every number (valid, out of range, negative), pointers that are null, in the kernel half,
// non-canonical, unmapped, read-only, just below the end of user space, wrapping, misaligned,
// lengths that are zero, huge or straddle a page, bad ports, flags and priorities, IpcMessages
// whose every field is random (forged sender/msg_id replies, buffers anywhere), mmap/munmap of
// weird ranges, threads with bad entries. Then three scenarios where another thread unmaps the
// message (or buffer) page of a thread blocked in a receive or a call.
// The kernel must answer every call with a result or an E_* code; a kernel fault ends the test boot.
// We check that each result is sane (an E_* code, or a success where success is possible) and
// exit with the number of insane results (the kernel's test expects 0).
//
// Arguments are shaped only where a legal call would hang or kill us: no SYS_EXIT or
// SYS_THREAD_EXIT from main, no long sleeps, no blocking receive or send on our own port, no call
// that nobody answers, thread entries that are never our own code (except `worker`), and the
// pages we read or write ourselves are never in the pools the kernel may be told to unmap.

import { print, thread_create, ipc_send, ipc_receive, mmap, munmap, yield_cpu, open, close, unlink, pin_to_this_cpu } from "../lib/sys";
import { O_READ, O_WRITE, O_CREATE, O_TRUNC } from "../../abi/fs";
import { IpcMessage, IPC_NONBLOCK, IPC_RECEIVE_MAP, IPC_FLAG_CALL, SERVICE_PORT } from "../../abi/ipc";
import {
  NUM_SYSCALLS, SYS_EXIT, SYS_WRITE, SYS_READ, SYS_SLEEP, SYS_THREAD_CREATE, SYS_THREAD_EXIT,
  SYS_IPC_SEND, SYS_IPC_RECEIVE, SYS_MMAP, SYS_MUNMAP, SYS_GETTID, SEND_CALL, SEND_REPLY, SYS_IPC_REPLY_WAIT,
  SYS_OPEN, SYS_CLOSE, SYS_SEEK, SYS_STAT, SYS_READDIR, SYS_UNLINK, SYS_MMAP_FILE, SYS_SHM_CREATE, SYS_SHM_MAP, SYS_CAP_DROP,
  SYS_SCHED_SETAFFINITY, PROT_READ, PROT_WRITE,
} from "../../abi/syscall";
import { E_FAULT, E_NOSYS, E_NOMEM } from "../../abi/errors";

const CALLS: i32 = 30000;
const SEED: u64 = 0x5ca41e77f00d;
const E_LOWEST: i64 = -13; // E_NOENT: the most negative E_* code (abi/errors.ts)
const MAX_THREADS: i32 = 64; // valid thread creations (each keeps a 64 KiB user stack until exit)
const PRIORITY: u64 = 32;
const MMAP_BASE: u64 = 0x0000100000000000;
const USER_TOP: u64 = 0x0000800000000000;
const SLOTS: i32 = 8;

let state: u64 = SEED;
let failures: i32 = 0;
let my_port: u64 = 0;
let threads_made: i32 = 0;
let scratch!: InlineArray<u8, 8192>; // the kernel may write here (reads, receives, replies)
let msg!: Inline<IpcMessage>; // random fields before every IPC call
let other!: Inline<IpcMessage>; // the scenarios' own message
let slots!: InlineArray<u64, 8>; // mmap regions the fuzzer keeps for munmap to hit
let rw_page: u64 = 0; // RW mapping (the kernel may write it; munmap may remove it)
let ro_page: u64 = 0; // read-only mapping
let gone_page: u64 = 0; // mapped, then unmapped
let results!: InlineArray<u64, 16>; // results seen: [0] successes, [k] E_* code -k
let ptr_bad: bool = false; // the last ptr() is never a valid user range start

/** xorshift64*: deterministic for a given SEED. */
function rand(): u64 {
  let x = state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  state = x;
  return x * 0x2545f4914f6cdd1d;
}

function pick(n: u64): u64 {
  return (rand() >> 16) % n;
}

function code_addr(): u64 {
  return addressof(main);
}

/** A hostile or valid pointer; ptr_bad says whether no byte of it can be a user address. */
function ptr(): u64 {
  ptr_bad = true;
  let k = pick(17);
  if (k == 0) return 0;
  if (k == 1) return 0xffff800000000000 + (rand() & 0xfffff);
  if (k == 2) return 0xffffffff80000000 + (rand() & 0xfffff);
  if (k == 3) return 0xffffffffc0000000 + (rand() & 0xfff);
  if (k == 4) return USER_TOP + (rand() & 0xff); // first non-canonical addresses
  if (k == 5) return 0x10000000; // never mapped
  if (k == 6) return gone_page + (rand() & 0xfff);
  if (k == 7) return 0xffffffffffffffff - (rand() & 0xfff); // wraps with any length
  ptr_bad = false;
  if (k == 8) return USER_TOP - 1 - (rand() & 0xff); // straddles the end of user space
  if (k == 9) return code_addr() + (rand() & 0xff); // read-only, executable
  if (k == 10) return changetype<usize>("a read-only string");
  if (k == 11) return addr_of(scratch) + (rand() & 0x1fff); // writable, misaligned
  if (k == 12) return changetype<usize>(msg) + (rand() & 7);
  if (k == 13) return rw_page + (rand() & 0xfff); // may straddle into the guard page
  if (k == 14) return ro_page + (rand() & 0xfff);
  if (k == 15) return MMAP_BASE + (rand() & 0xffffff);
  return rand();
}

function len(): u64 {
  let k = pick(15);
  if (k == 0) return 0;
  if (k == 1) return 1;
  if (k == 2) return 8;
  if (k == 3) return 104;
  if (k == 4) return 4095;
  if (k == 5) return 4096;
  if (k == 6) return 4097;
  if (k == 7) return 65536;
  if (k == 8) return 65537;
  if (k == 9) return 1 << 20;
  if (k == 10) return u64(1) << 63;
  if (k == 11) return 0xffffffffffffffff;
  if (k == 12) return 0xfffffffffffff000;
  if (k == 13) return rand() & 0xffff;
  return rand();
}

function port(): u64 {
  let k = pick(8);
  if (k == 0) return 0;
  if (k == 1 || k == 2) return SERVICE_PORT;
  if (k == 3 || k == 4) return my_port;
  if (k == 5) return 2 + pick(300);
  if (k == 6) return 0xffffffffffffffff;
  return rand();
}

/** Fills the message with random fields: forged ids, any type and flags, buffer anywhere. */
function scramble(m: IpcMessage): void {
  m.sender_tid = pick(4) == 0 ? rand() : pick(64);
  m.msg_id = pick(4) == 0 ? rand() : pick(1000000);
  m.type = u32(pick(5));
  m.flags = u32(rand());
  store<u64>(changetype<usize>(m) + 24, rand());
  m.buffer = ptr();
  m.buffer_size = pick(3) == 0 ? 0 : len();
}

function sane(name: u64, r: i64, ok: bool): void {
  if (r >= 0) results[0]++;
  else if (r >= E_LOWEST) results[i32(-r)]++;
  if (r < E_LOWEST || !ok) {
    failures++;
    if (failures < 20) print(`[USER fuzz] insane result ${r} from system call ${name}\n`);
  }
}

/** Second threads: exit at once (their entry is checked, their stack mapped, they ran). */
function worker(arg: u64): void {
  syscall(SYS_THREAD_EXIT);
}

function fuzz_thread_create(): i64 {
  let entry = ptr();
  if (!ptr_bad) entry = pick(2) == 0 ? addr_of(scratch) : ro_page; // mapped but not executable
  if (threads_made < MAX_THREADS && pick(8) == 0) {
    entry = addressof(worker);
    threads_made++;
  }
  let pri = pick(3) == 0 ? rand() : pick(130);
  let r = syscall(SYS_THREAD_CREATE, entry, rand(), pri);
  if (r > 0 && entry != addressof(worker)) return -100; // a bad entry accepted
  return r;
}

function fuzz_send(): i64 {
  let p = port();
  let flags = pick(4) == 0 ? rand() : pick(32);
  let m = pick(3) == 0 ? ptr() : changetype<usize>(msg);
  let bad = ptr_bad && m != changetype<usize>(msg);
  scramble(msg);
  let call = (flags & SEND_CALL) != 0;
  let reply = (flags & SEND_REPLY) != 0;
  // A call waits for an answer: only the service gives one. A plain send to a port of ours (our
  // own, or one SYS_PORT_CREATE made) must not block on a full queue.
  if (call && !reply && (flags & ~u64(31)) == 0) p = SERVICE_PORT; // 31: every SEND_* flag
  if (p != SERVICE_PORT) flags |= IPC_NONBLOCK;
  let r = syscall(SYS_IPC_SEND, p, m, flags);
  if (bad && r >= 0) return -100;
  return r;
}

function fuzz_receive(): i64 {
  let flags = pick(4) == 0 ? rand() : pick(4);
  if ((flags & ~(IPC_NONBLOCK | IPC_RECEIVE_MAP)) == 0) flags |= IPC_NONBLOCK; // nothing may be queued: never wait
  let m = pick(3) == 0 ? ptr() : changetype<usize>(msg);
  scramble(msg);
  return syscall(SYS_IPC_RECEIVE, port(), m, flags);
}

let spare!: Inline<IpcMessage>;

/**
 * SYS_IPC_REPLY_WAIT: a random answer (forged ids, any flags; the reply must fail unless it names
 * a call we hold, and we hold none), then a receive that never waits: a message is queued on our
 * own port first, the only port we hold the receive right to.
 */
function fuzz_reply_wait(): i64 {
  let p = port();
  let m = pick(3) == 0 ? ptr() : changetype<usize>(msg);
  let bad = ptr_bad && m != changetype<usize>(msg);
  let resp = pick(4) == 0 ? ptr() : m;
  let resp_bad = ptr_bad && resp != m;
  scramble(msg);
  // resp is read only to answer a call: with a request that is not one, it is never looked at
  if (m == changetype<usize>(msg) && (msg.flags & IPC_FLAG_CALL) != 0) bad = bad || resp_bad;
  spare.buffer = 0;
  spare.buffer_size = 0;
  spare.cap = 0;
  ipc_send(my_port, spare, IPC_NONBLOCK); // E_FULL is fine: then there is something to receive
  let r = syscall(SYS_IPC_REPLY_WAIT, p, m, resp);
  if (bad && r >= 0) return -100;
  return r;
}

function fuzz_mmap(): i64 {
  let addr = pick(4) == 0 ? ptr() : 0;
  let prot = pick(4) == 0 ? rand() : pick(8);
  let r = syscall(SYS_MMAP, addr, len(), prot);
  if (r > 0) {
    let s = i32(pick(u64(SLOTS)));
    if (slots[s] != 0) munmap(slots[s], 4096);
    slots[s] = u64(r);
  }
  return r;
}

function fuzz_munmap(): i64 {
  let k = pick(4);
  let addr = ptr();
  if (k == 0) addr = slots[i32(pick(u64(SLOTS)))] + (pick(2) << 12);
  if (k == 1) addr = MMAP_BASE + (pick(64) << 12);
  let n = len();
  let r = syscall(SYS_MUNMAP, addr, n);
  return r;
}

/** One random system call; its result. */
function one(nr: u64): i64 {
  if (nr == SYS_WRITE) {
    let fd = pick(8) == 0 ? 1 : pick(4) == 0 ? rand() : pick(4) + 2;
    let p = ptr();
    let n = len();
    // keep the console readable: what fd 1 and 2 accept must not print our code or data
    if ((fd == 1 || fd == 2) && !ptr_bad && n != 0 && n <= 4096) p = USER_TOP - 1 - (rand() & 0xff);
    let r = syscall(SYS_WRITE, fd, p, n);
    if (r >= 0 && ptr_bad && n != 0) return -100;
    return r;
  }
  if (nr == SYS_READ) {
    let p = ptr();
    let n = len();
    let r = syscall(SYS_READ, pick(3), p, n);
    if (r > 0 && ptr_bad) return -100;
    return r;
  }
  if (nr == SYS_SLEEP) {
    let k = pick(64); // a real sleep waits for the timer: rarely
    return syscall(SYS_SLEEP, k == 0 ? 1 : k < 20 ? 0 : k < 40 ? 3600001 : rand() | (u64(1) << 40));
  }
  if (nr == SYS_THREAD_CREATE) return fuzz_thread_create();
  if (nr == SYS_IPC_SEND) return fuzz_send();
  if (nr == SYS_IPC_RECEIVE) return fuzz_receive();
  if (nr == SYS_IPC_REPLY_WAIT) return fuzz_reply_wait();
  if (nr == SYS_MMAP) return fuzz_mmap();
  if (nr == SYS_MUNMAP) return fuzz_munmap();
  return syscall(nr, rand(), ptr(), len(), rand(), rand());
}

// ---- cross-process: forged replies aimed at user/victim (the kernel's test starts it just before
// us, so its thread is our tid - 1), with message ids near the newest one we can learn ----
let forge_msg!: Inline<IpcMessage>;
let victim_tid: u64 = 0;
let forged_accepted: i32 = 0;

function forge(): void {
  forge_msg.buffer = 0;
  forge_msg.buffer_size = 0;
  forge_msg.cap = 0;
  if (ipc_send(my_port, forge_msg, IPC_NONBLOCK) != 0) return; // our queue is full: not now
  let newest: u64 = 0;
  while (ipc_receive(my_port, forge_msg, IPC_NONBLOCK) == 0) {
    newest = forge_msg.msg_id; // drains what the fuzzer queued too
    forge_msg.buffer = 0;
    forge_msg.buffer_size = 0;
  }
  for (let k: u64 = 1; k <= 8 && k < newest; k++) {
    forge_msg.sender_tid = victim_tid;
    forge_msg.msg_id = newest - k;
    forge_msg.flags = IPC_FLAG_CALL;
    forge_msg.buffer = 0;
    forge_msg.buffer_size = 0;
    if (ipc_send(0, forge_msg, SEND_REPLY) == 0) forged_accepted++;
  }
}

// ---- the file system calls on a real descriptor, with hostile pointers, lengths and flags ----
let fs_fd: u64 = 0;

function fuzz_fs(): i64 {
  let k = pick(9);
  if (k == 0) return syscall(SYS_READ, fs_fd, ptr(), len());
  if (k == 1) return syscall(SYS_WRITE, fs_fd, ptr(), len());
  if (k == 2) return syscall(SYS_SEEK, pick(3) == 0 ? rand() : fs_fd, rand() & 0x1fffff, pick(4));
  if (k == 3) return syscall(SYS_STAT, ptr(), len(), ptr());
  if (k == 4) return syscall(SYS_READDIR, pick(6), pick(20), ptr(), len());
  if (k == 5) { // map the file (a bad offset, length, protection or sharing must be refused)
    let n = len();
    let r = syscall(SYS_MMAP_FILE, fs_fd, pick(4) == 0 ? rand() : (rand() & 3) * 4096, n, pick(8), pick(4));
    if (r > 0) syscall(SYS_MUNMAP, u64(r), n);
    return r;
  }
  if (k == 6) return syscall(SYS_OPEN, ptr(), len(), pick(16) & ~O_CREATE); // no files left behind
  if (k == 7) { // a shared-memory object, mapped at random (bad handles, offsets, lengths, protections refused)
    let r = syscall(SYS_SHM_CREATE, pick(2) == 0 ? len() : rand());
    let h = pick(4) == 0 ? rand() : r > 0 ? u64(r) : u64(pick(70));
    let n = len();
    let m = syscall(SYS_SHM_MAP, h, pick(4) == 0 ? rand() : (rand() & 3) * 4096, n, pick(8));
    if (m > 0) syscall(SYS_MUNMAP, u64(m), n);
    if (r > 0) syscall(SYS_CAP_DROP, u64(r));
    return r;
  }
  return syscall(SYS_UNLINK, ptr(), len() & 0xff); // a path that exists is unlikely; none must fault
}

function fuzz(): void {
  victim_tid = u64(syscall(SYS_GETTID)) - 1;
  fs_fd = u64(open("/tmp/fuzz", O_READ | O_WRITE | O_CREATE | O_TRUNC));
  for (let i: i32 = 0; i < CALLS; i++) {
    if ((i & 63) == 0) forge();
    if (pick(8) == 0) {
      let r = fuzz_fs();
      sane(SYS_OPEN, r, r != -100);
      continue;
    }
    let k = pick(18);
    // 0-13 the seed's calls, 14-15 the last two calls (futexes) and the first unknown number,
    // 16 a random or near-maximal one, 17 SYS_IPC_REPLY_WAIT
    let nr = k < 14 ? k : k < 16 ? NUM_SYSCALLS - 2 + pick(3) : k == 17 ? SYS_IPC_REPLY_WAIT : pick(4) == 0 ? 0xffffffffffffffff - pick(4) : rand();
    // not exit, and not a new affinity: the scenarios rely on running on one CPU (main)
    if (nr == SYS_EXIT || nr == SYS_THREAD_EXIT || nr == SYS_SCHED_SETAFFINITY) nr = SYS_GETTID;
    let r = one(nr);
    let unknown = nr == 3 || nr == 4 || nr >= NUM_SYSCALLS;
    sane(nr, r, r != -100 && (!unknown || r == E_NOSYS));
  }
}

// ---- another thread unmaps a page that a blocked system call will write ----
let blocked_result: i64 = 1;
let blocked_msg: u64 = 0;
let blocked_done: bool = false;

/** Receives on our port into blocked_msg (with a buffer at blocked_msg.buffer). */
function receiver(arg: u64): void {
  blocked_result = ipc_receive(my_port, changetype<IpcMessage>(blocked_msg), 0);
  blocked_done = true;
  syscall(SYS_THREAD_EXIT);
}

/** Calls our own port with blocked_msg; main answers it. */
function caller(arg: u64): void {
  blocked_result = ipc_send(my_port, changetype<IpcMessage>(blocked_msg), SEND_CALL);
  blocked_done = true;
  syscall(SYS_THREAD_EXIT);
}

/** Starts fn, lets it block, then returns (threads at our priority run when we yield). */
function start_blocked(fn: u64): bool {
  blocked_done = false;
  blocked_result = 1;
  if (thread_create(fn, 0, PRIORITY) <= 0) return false;
  yield_cpu();
  return !blocked_done;
}

function wait_done(): void {
  while (!blocked_done) yield_cpu();
}

function expect(name: string, got: i64, want: i64): void {
  if (got != want) {
    failures++;
    print(`[USER fuzz] FAIL ${name}: got ${got}, want ${want}\n`);
  }
}

function scenarios(): void {
  // 1. the receiver's message page goes away while it waits
  let page = u64(mmap(4096, PROT_READ | PROT_WRITE));
  store<u64>(page + 88, 0); // buffer, buffer_size
  store<u64>(page + 96, 0);
  blocked_msg = page;
  expect("receiver blocks", i64(start_blocked(addressof(receiver))), 1);
  expect("munmap under a receive", munmap(page, 4096), 0);
  other.buffer = 0;
  other.buffer_size = 0;
  expect("send to it", ipc_send(my_port, other, IPC_NONBLOCK), 0);
  wait_done();
  expect("receive into an unmapped page", blocked_result, E_FAULT);

  // 2. the receiver's buffer page goes away while it waits; the sent buffer is freed
  let buf = u64(mmap(4096, PROT_READ | PROT_WRITE));
  let m = changetype<IpcMessage>(addr_of(scratch));
  m.buffer = buf;
  m.buffer_size = 4096;
  blocked_msg = addr_of(scratch);
  expect("buffer receiver blocks", i64(start_blocked(addressof(receiver))), 1);
  expect("munmap under a receive buffer", munmap(buf, 4096), 0);
  other.buffer = addr_of(scratch) + 512;
  other.buffer_size = 100;
  expect("send a buffer to it", ipc_send(my_port, other, IPC_NONBLOCK), 0);
  wait_done();
  expect("receive into an unmapped buffer", blocked_result, E_FAULT);

  // 3. a caller's message page goes away before the reply
  page = u64(mmap(4096, PROT_READ | PROT_WRITE));
  store<u64>(page + 88, 0);
  store<u64>(page + 96, 0);
  blocked_msg = page;
  expect("caller blocks", i64(start_blocked(addressof(caller))), 1);
  other.buffer = 0;
  other.buffer_size = 0;
  expect("receive the call", ipc_receive(my_port, other, IPC_NONBLOCK), 0);
  expect("munmap under a call", munmap(page, 4096), 0);
  expect("reply", ipc_send(my_port, other, SEND_REPLY), 0);
  wait_done();
  expect("reply into an unmapped page", blocked_result, E_FAULT);

  // 4. a call handed straight to a receiver whose message page went away: the receiver gets
  // E_FAULT and the caller, whose call nobody can answer now, too (instead of waiting forever)
  page = u64(mmap(4096, PROT_READ | PROT_WRITE));
  store<u64>(page + 88, 0);
  store<u64>(page + 96, 0);
  blocked_msg = page;
  expect("receiver blocks for a call", i64(start_blocked(addressof(receiver))), 1);
  expect("munmap under a receive (call)", munmap(page, 4096), 0);
  expect("call into an unmapped page", ipc_send(my_port, other, SEND_CALL), E_FAULT);
  wait_done();
  expect("receiver of that call", blocked_result, E_FAULT);

  // 5. the same through the general path (a call with a buffer is staged, not handed over)
  page = u64(mmap(4096, PROT_READ | PROT_WRITE));
  store<u64>(page + 88, 0);
  store<u64>(page + 96, 0);
  blocked_msg = page;
  expect("receiver blocks for a buffered call", i64(start_blocked(addressof(receiver))), 1);
  expect("munmap under a receive (buffered call)", munmap(page, 4096), 0);
  other.buffer = addr_of(scratch) + 512;
  other.buffer_size = 100;
  expect("buffered call into an unmapped page", ipc_send(my_port, other, SEND_CALL), E_FAULT);
  other.buffer = 0;
  other.buffer_size = 0;
  wait_done();
  expect("receiver of that buffered call", blocked_result, E_FAULT);
}

let hogs!: InlineArray<u64, 64>;

/**
 * Out of memory: mmap 64 MiB at a time until the kernel says E_NOMEM, then thread creation, small
 * mmaps and buffered sends while nothing is left, then give it all back (the kernel's test counts
 * the frames after we exit).
 */
function exhaust(): void {
  let n: i32 = 0;
  let r: i64 = 0;
  while (n < 64) {
    r = mmap(64 << 20, PROT_READ | PROT_WRITE);
    if (r < 0) break;
    hogs[n++] = u64(r);
  }
  let chunk: u64 = 64 << 20;
  while (r >= 0 || chunk > 4096) { // fill the rest, halving the size
    if (r < 0) chunk >>= 1;
    r = mmap(chunk, PROT_READ | PROT_WRITE);
    if (r >= 0 && n < 64) hogs[n++] = u64(r);
    if (n == 64) break;
  }
  expect("mmap runs out", r, E_NOMEM);
  for (let i: i32 = 0; i < 8; i++) {
    let t = thread_create(addressof(worker), 0, PRIORITY);
    if (t > 0) yield_cpu();
    else expect("thread_create out of memory", t, E_NOMEM);
  }
  expect("mmap 4 KiB out of memory", mmap(4096, PROT_READ), E_NOMEM);
  // 8 frames free: a thread's stack (16 pages) runs out half-mapped; each try must give back
  // every frame it took, so the next try finds the same 8 and fails the same way
  expect("munmap 8 pages", munmap(hogs[0], 32768), 0);
  for (let i: u64 = 0; i < 3; i++) {
    expect("thread_create with 8 frames", thread_create(addressof(worker), 0, PRIORITY), E_NOMEM);
  }
  let back = mmap(16384, PROT_READ | PROT_WRITE); // 4 pages and at most a few table pages
  expect("the frames a failed thread_create took are back", i64(back > 0), 1);
  if (back > 0) munmap(u64(back), 16384);
  hogs[0] += 32768;
  other.type = 0;
  other.buffer = addr_of(scratch);
  other.buffer_size = 4096;
  let s = ipc_send(my_port, other, IPC_NONBLOCK);
  if (s != 0) expect("buffered send out of memory", s, E_NOMEM);
  other.buffer = 0;
  other.buffer_size = 0;
  for (let i: i32 = 0; i < n; i++) syscall(SYS_MUNMAP, hogs[i], i == 0 ? (64 << 20) - 32768 : 64 << 20);
  expect("mmap again", i64(mmap(4096, PROT_READ) > 0), 1);
}

export function main(port: u64): i32 {
  pin_to_this_cpu(); // its threads too: start_blocked relies on a yield running the new thread
  my_port = port;
  rw_page = u64(mmap(8192, PROT_READ | PROT_WRITE));
  ro_page = u64(mmap(4096, PROT_READ));
  gone_page = u64(mmap(4096, PROT_READ | PROT_WRITE));
  munmap(gone_page, 4096);
  fuzz();
  close(fs_fd);
  unlink("/tmp/fuzz");
  // drain our port so that the scenarios start from an empty queue
  msg.buffer = 0;
  msg.buffer_size = 0;
  while (ipc_receive(my_port, msg, IPC_NONBLOCK) != -9) {
    msg.buffer = 0;
    msg.buffer_size = 0;
  }
  scenarios();
  exhaust();
  print(`[USER fuzz] ${CALLS} calls: ${results[0]} succeeded, E_INVAL ${results[1]}, E_FAULT ${results[2]}, E_NOSYS ${results[3]}, E_NOMEM ${results[4]}, E_BADPORT ${results[5]}, E_FULL ${results[6]}, E_TOOBIG ${results[8]}, E_AGAIN ${results[9]}, E_TRUNC ${results[10]}, E_BADF ${results[12]}, E_NOENT ${results[13]}; ${threads_made} threads; ${failures} insane\n`);
  if (forged_accepted > 0) print(`[USER fuzz] FAIL: ${forged_accepted} forged replies to another process accepted\n`);
  failures += forged_accepted;
  return failures;
}
