// Large IPC buffers moved by mapping (SEND_MAP, IPC_RECEIVE_MAP), for the kernel's test
// (test/vm_tests.ts vm_ipc_buffer_by_mapping). We fork; the child sends 64 KiB buffers to us
// (its OWN_PORT names our port) as calls, and checks after each reply that its buffer is as it
// left it. We receive them mapped, copy-on-write: the bytes are there, our writes stay ours, the
// child's writes after a send stay its own. A receiver that does not ask for a mapping gets a
// copy; a small or unaligned buffer is copied; a buffer in shared memory is copied; the kernel
// service (a kernel receiver) sums a mapped buffer's bytes from its frames; a mapped buffer
// queued at a port that is destroyed lets go of its pages (the kernel's test counts the frames).
// Exit status: failed checks (the child reports its own in its messages' inline data).

import { print, fork, exit, mmap, munmap, ipc_send, ipc_receive, shm_create, shm_map, port_create, cap_drop } from "../lib/sys";
import { IpcMessage, OWN_PORT, SERVICE_PORT, SVC_SUM, IPC_NONBLOCK, IPC_FLAG_CALL, IPC_FLAG_MAPPED, IPC_RECEIVE_MAP, IPC_MAP_MIN, inline_addr } from "../../abi/ipc";
import { SEND_CALL, SEND_REPLY, SEND_MAP, PROT_READ, PROT_WRITE } from "../../abi/syscall";

const SIZE: u64 = 65536;
let msg!: Inline<IpcMessage>;
let failures: i64 = 0;

function expect(what: string, got: i64, want: i64): void {
  if (got == want) return;
  failures++;
  print(`[USER mapmsg] FAIL ${what}: got ${got}, want ${want}\n`);
}

function fill(buf: u64, size: u64, seed: u64): void {
  for (let off: u64 = 0; off < size; off += 8) store<u64>(buf + off, off * 7 + seed);
}

/** Offsets in [0, size) where buf does not hold fill's pattern for seed. */
function mismatches(buf: u64, size: u64, seed: u64): i64 {
  let n: i64 = 0;
  for (let off: u64 = 0; off < size; off += 8) if (load<u64>(buf + off) != off * 7 + seed) n++;
  return n;
}

function setup(buf: u64, size: u64, type: u32): void {
  msg.type = type;
  msg.flags = 0;
  msg.cap = 0;
  msg.buffer = buf;
  msg.buffer_size = size;
}

/** The child: calls the parent with buffers, then reports its failed checks (type 7). */
function child(port: u64): void {
  let buf = u64(mmap(SIZE, PROT_READ | PROT_WRITE));
  fill(buf, SIZE, 1);
  setup(buf, SIZE, 1); // 1: mapped; the parent writes into its mapping
  expect("call 1", ipc_send(port, msg, SEND_CALL | SEND_MAP), 0);
  expect("our buffer after the parent's write", mismatches(buf, SIZE, 1), 0);
  store<u64>(buf + 4096, 0xabcdef); // after the send: the parent's first mapping must not see it
  setup(buf, SIZE, 2); // 2: mapped again, with our write
  expect("call 2", ipc_send(port, msg, SEND_CALL | SEND_MAP), 0);
  setup(buf, SIZE, 3); // 3: the parent receives without IPC_RECEIVE_MAP: a copy
  expect("call 3", ipc_send(port, msg, SEND_CALL | SEND_MAP), 0);
  setup(buf + 8, IPC_MAP_MIN, 4); // 4: unaligned: copied
  expect("call 4", ipc_send(port, msg, SEND_CALL | SEND_MAP), 0);
  setup(buf, IPC_MAP_MIN - 4096, 5); // 5: below IPC_MAP_MIN: copied
  expect("call 5", ipc_send(port, msg, SEND_CALL | SEND_MAP), 0);
  let h = shm_create(SIZE);
  let s = u64(shm_map(u64(h), 0, SIZE, PROT_READ | PROT_WRITE));
  fill(s, SIZE, 6);
  setup(s, SIZE, 6); // 6: shared memory: copied
  expect("call 6", ipc_send(port, msg, SEND_CALL | SEND_MAP), 0);
  expect("munmap", munmap(buf, SIZE), 0);
  setup(0, 0, 7);
  store<i64>(inline_addr(msg), failures);
  ipc_send(port, msg, 0);
  exit(0);
}

/** Receives the child's next call (into `into`, or mapped) and checks its type. */
function receive(type: u32, into: u64, flags: u64): i64 {
  setup(into, into != 0 ? SIZE : 0, 0);
  let r = ipc_receive(OWN_PORT, msg, flags);
  expect("message type", i64(msg.type), i64(type));
  expect("a call", i64(msg.flags & IPC_FLAG_CALL), i64(IPC_FLAG_CALL));
  return r;
}

function reply(): void {
  msg.buffer = 0;
  msg.buffer_size = 0;
  expect("reply", ipc_send(0, msg, SEND_REPLY), 0);
}

export function main(port: u64): i32 {
  let pid = fork();
  if (pid == 0) child(port);
  if (pid < 0) return 100;
  expect("receive 1", receive(1, 0, IPC_RECEIVE_MAP), 0);
  expect("1 arrived mapped", i64(msg.flags & IPC_FLAG_MAPPED), i64(IPC_FLAG_MAPPED));
  expect("1 size", i64(msg.buffer_size), i64(SIZE));
  let m1 = msg.buffer;
  expect("1 the bytes", mismatches(m1, SIZE, 1), 0);
  store<u64>(m1, 0x5555); // ours only (copy-on-write)
  reply();
  expect("receive 2", receive(2, 0, IPC_RECEIVE_MAP), 0);
  let m2 = msg.buffer;
  expect("2 mapped elsewhere", i64((msg.flags & IPC_FLAG_MAPPED) != 0 && m2 != m1), 1);
  expect("2 has the child's write", i64(load<u64>(m2 + 4096)), 0xabcdef);
  expect("1 does not", i64(load<u64>(m1 + 4096)), i64(4096 * 7 + 1));
  expect("our write stays in 1", i64(load<u64>(m1)), 0x5555);
  expect("2 does not have our write", i64(load<u64>(m2)), 1);
  reply();
  expect("munmap 1", munmap(m1, SIZE), 0);
  expect("munmap 2", munmap(m2, SIZE), 0);
  let buf = u64(mmap(SIZE, PROT_READ | PROT_WRITE));
  expect("receive 3 (no IPC_RECEIVE_MAP)", receive(3, buf, 0), 0);
  expect("3 copied into our buffer", i64(msg.buffer == buf && (msg.flags & IPC_FLAG_MAPPED) == 0 && msg.buffer_size == SIZE), 1);
  store<u64>(buf + 4096, 4096 * 7 + 1); // the child's write, undone, for the comparison
  expect("3 the bytes", mismatches(buf, SIZE, 1), 0);
  reply();
  expect("receive 4", receive(4, buf, IPC_RECEIVE_MAP), 0);
  expect("4 unaligned: copied", i64(msg.buffer == buf && (msg.flags & IPC_FLAG_MAPPED) == 0 && msg.buffer_size == IPC_MAP_MIN), 1);
  expect("4 the bytes", i64(load<u64>(buf)), 8 * 7 + 1);
  reply();
  expect("receive 5", receive(5, buf, IPC_RECEIVE_MAP), 0);
  expect("5 small: copied", i64(msg.buffer == buf && (msg.flags & IPC_FLAG_MAPPED) == 0), 1);
  reply();
  expect("receive 6", receive(6, buf, IPC_RECEIVE_MAP), 0);
  expect("6 shared memory: copied", i64(msg.buffer == buf && (msg.flags & IPC_FLAG_MAPPED) == 0), 1);
  expect("6 the bytes", mismatches(buf, SIZE, 6), 0);
  reply();
  // a mapped buffer queued at a port that is destroyed: its pages go with the message
  let q = port_create();
  expect("port_create", i64(q > 0), 1);
  setup(buf, SIZE, 8);
  expect("queue a mapped buffer", ipc_send(u64(q), msg, SEND_MAP | IPC_NONBLOCK), 0);
  expect("destroy the port with it", cap_drop(u64(q)), 0);
  store<u64>(buf, 42); // our page again, writable (the message's reference is gone)
  // a kernel receiver (the service's SVC_SUM) reads a mapped buffer from its frames
  let sum: u64 = 0;
  for (let off: u64 = 0; off < SIZE; off++) sum += u64(load<u8>(buf + off));
  setup(buf, SIZE, SVC_SUM);
  expect("SVC_SUM with SEND_MAP", ipc_send(SERVICE_PORT, msg, SEND_CALL | SEND_MAP), 0);
  expect("the service's sum of the mapped pages", i64(load<u64>(inline_addr(msg))), i64(sum));
  expect("the service's length", i64(load<u64>(inline_addr(msg) + 8)), i64(SIZE));
  setup(0, 0, 0);
  expect("the child's report", ipc_receive(port, msg, 0), 0);
  expect("7", i64(msg.type), 7);
  failures += load<i64>(inline_addr(msg));
  expect("munmap", munmap(buf, SIZE), 0);
  if (failures == 0) print(`[USER mapmsg] 64 KiB buffers moved by mapping, copy-on-write both ways\n`);
  return i32(failures);
}
