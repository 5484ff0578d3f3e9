// IPC ports: per-port message queues, blocking send/receive, try_receive, call/reply.
//
// A message is 64 inline bytes (always copied: the fast path) plus an optional out-of-line buffer
// of up to IPC_MAX_BUFFER bytes, which the kernel copies into a kernel allocation at send time and
// out of it (then frees it) in the receiver's own context, so a buffer never crosses address
// spaces by pointer. For system calls both copies are the system call's (syscall.ts), a page at
// a time with interrupts on: this file only hands the kernel copy over (Thread.ipc_kbuf). A sender that finds a receiver waiting hands the message straight into the
// receiver's TCB (thread.ipc_msg) and wakes it; otherwise the message is queued (at most
// IPC_QUEUE_CAPACITY per port; then senders block, or get E_FULL with IPC_NONBLOCK).
// A call is a send marked IPC_FLAG_CALL after which the caller blocks until ipc_reply delivers
// the answer into its TCB. A call is never queued as a message: with no receiver waiting, the
// caller waits on the port's callers queue with its request (take_caller), so whoever receives a
// call is known. The receiver gets the call's one-shot reply right (Thread.reply_holder: its
// process, or the kernel thread); a reply is accepted only from that holder, so guessing the
// caller's tid and the message id gains nothing. User programs name ports through capabilities
// (ipc/cap.ts); this file's functions take the kernel's port ids. Destroying a port wakes every waiter with E_DESTROYED: blocked
// receivers and senders, and callers whose call went to that port.
// All of it runs with interrupts off (single CPU); ports live in a table indexed by id (0 = none).
//
// Fast paths (L4's), each the entry point that tests its conditions first and, before changing
// anything, hands over to the general path (call_slow, reply_wait_slow) when they do not hold:
// - ipc_call_locked: a call that finds a receiver waiting, with inline data only, stages the message
//   into the receiver's TCB, blocks the caller for the reply and switches straight to the
//   receiver (no run queue, no schedule()). The receiver's TCB remembers the caller (reply_to).
// - ipc_reply_wait_locked: a server answering that caller and waiting for the next message
//   (ipc_reply_wait) stages the reply into the caller's TCB, queues itself as a receiver and
//   switches straight back to the caller, when the port has nothing queued and no caller waiting.
// Both end in sched_handoff, which switches straight to the woken thread only when that overtakes
// no ready thread (the priority rule, see scheduler.ts); otherwise it queues it and schedules.
// Buffers, queued messages, full queues, destroyed ports and every error take the general path.
// Between user threads the common case of both is also done in assembly at system-call level
// (arch/x86_64/ipcfast.S), with the same tests as ipc_call_user_port and ipc_reply_wait_user_port here,
// which stay the reference: a change to them must be made there too.

import { SEND_CALL } from "../abi/syscall";
import { IpcMessage, IPC_MAX_BUFFER, IPC_NONBLOCK, IPC_FLAG_CALL, IPC_FLAG_CAP, CAP_SEND, CAP_RECEIVE } from "../abi/ipc";
import { CapTable, cap_lookup } from "./cap";
import { E_OK, E_INVAL, E_FAULT, E_BADPORT, E_FULL, E_DESTROYED, E_TOOBIG, E_AGAIN, E_TRUNC, E_NOMEM, E_KILLED } from "../abi/errors";
import { IPC_QUEUE_CAPACITY, copy_inline, copy_message, ipc_buf_alloc, ipc_buf_free, ipc_buf_copy } from "./message";
import { WaitQueue, Thread, thr, thread_addr, THREAD_BLOCKED } from "../sched/thread";
import {
  thread_current, waitq_add, waitq_sleep, waitq_wake_one, waitq_wake_all, thread_wake, thread_block,
  thread_find, thread_for_each, sched_preempt_point, sched_handoff,
} from "../sched/scheduler";
import { Cpu, this_cpu } from "../sched/percpu";
import { kmalloc, kfree } from "../mm/kmalloc";
import { slab_cache_create, slab_zalloc } from "../mm/slab";

let port_cache: u64 = 0; // the object cache of Port records
import { irq_save, irq_restore } from "../arch/hal";
import { log_info } from "../lib/log";
import { user_gen } from "../mm/usercopy";
import { fifo_pop } from "../lib/list";
import { proc_pid, Process } from "../proc/process";
import { panic } from "../lib/panic";
import { PROC_MAX_CAPS } from "../abi/limits";
import { CPU_RQ_BITS } from "../sched/percpu";

export const MAX_PORTS: u64 = 256;

class Port {
  id: u64 = 0;
  serial: u64 = 0; // unique among all ports ever, renewed by revocation: see ipc_port_ref
  owner: u64 = 0; // pid of the owning process, 0 for the kernel
  queue: u64 = 0; // IPC_QUEUE_CAPACITY messages
  head: u32 = 0;
  count: u32 = 0;
  sent: u64 = 0;
  receivers!: Inline<WaitQueue>;
  senders!: Inline<WaitQueue>;
  callers!: Inline<WaitQueue>; // calls waiting for a receiver (a call is never queued as a message)
}

// ports, next_msg_id and the fast-path counters are exported for the assembly fast paths
// (arch/x86_64/ipcfast.S), which use them as the TypeScript ones below do.
export let ports!: InlineArray<u64, 256>;
export let next_msg_id: u64 = 1;
let next_serial: u64 = 1;
let live_ports: u64 = 0;


export function ipc_init(): void {
  log_info(`Initializing IPC system...`);
  if (!ipc_fast_layout_ok()) panic(`a field or constant used by arch/x86_64/ipcfast.S moved: update its .set lines`);
  memset(addr_of(ports), 0, MAX_PORTS * 8);
  port_cache = slab_cache_create("port", sizeof<Port>());
  log_info(`IPC system initialized`);
}

/** The offsets and constants of arch/x86_64/ipcfast.S (its .set lines, in their order). */
function ipc_fast_layout_ok(): bool {
  let t = offsetof<Thread>("tid") == 0 && offsetof<Thread>("state") == 48 && offsetof<Thread>("priority") == 52 &&
    offsetof<Thread>("killed") == 53 && offsetof<Thread>("next") == 104 && offsetof<Thread>("waitq") == 112 &&
    offsetof<Thread>("proc") == 144 && offsetof<Thread>("wait_result") == 176 && offsetof<Thread>("reply_msg_id") == 184 &&
    offsetof<Thread>("call_port") == 192 && offsetof<Thread>("reply_to") == 200 && offsetof<Thread>("ipc_dst") == 208 &&
    offsetof<Thread>("checked_page") == 216 && offsetof<Thread>("check_gen") == 224 &&
    offsetof<Thread>("checked_kva") == 232 && offsetof<Thread>("ipc_gen") == 240 &&
    offsetof<Thread>("reply_holder") == 488 && offsetof<Thread>("caps") == 496 && offsetof<Thread>("ipc_uptr") == 536 &&
    offsetof<Thread>("cpu") == 544 && THREAD_BLOCKED == 2 && CPU_RQ_BITS == 2224;
  let p = offsetof<Port>("id") == 0 && offsetof<Port>("serial") == 8 && offsetof<Port>("owner") == 16 &&
    offsetof<Port>("count") == 36 && offsetof<Port>("sent") == 40 && offsetof<Port>("receivers") == 48 &&
    offsetof<WaitQueue>("head") == 0 && offsetof<WaitQueue>("tail") == 8 && offsetof<Port>("callers") == 80 &&
    offsetof<Process>("pid") == 0 && offsetof<CapTable>("rights") == 512 && PROC_MAX_CAPS == 64 &&
    CAP_SEND == 1 && CAP_RECEIVE == 2;
  let m = offsetof<IpcMessage>("msg_id") == 8 && offsetof<IpcMessage>("type") == 16 &&
    offsetof<IpcMessage>("flags") == 20 && offsetof<IpcMessage>("inline_data") == 24 &&
    offsetof<IpcMessage>("buffer_size") == 96 && offsetof<IpcMessage>("cap") == 104 &&
    sizeof<IpcMessage>() == 112 && IPC_FLAG_CALL == 1 && SEND_CALL == 2;
  return t && p && m;
}

function port_get(id: u64): Port | null {
  if (id == 0 || id >= MAX_PORTS || ports[i32(id)] == 0) return null;
  return changetype<Port>(ports[i32(id)]);
}

// ---- port references: what capabilities hold (ipc/cap.ts) ----
// A reference is serial << 8 | id (MAX_PORTS = 256): it names the port only while the port with
// that id still has that serial, so a destroyed or revoked port's references name nothing.

/** A reference to port id (0 if there is no such port). */
export function ipc_port_ref(id: u64): u64 {
  let p = port_get(id);
  return p == null ? 0 : (p.serial << 8) | id;
}

/**
 * The port id a reference names, or 0 when it names nothing (any more). O(1); inlined into the
 * system call's fast path.
 * @inline
 */
export function ipc_ref_id(ref: u64): u64 {
  let id = ref & 0xff;
  let a = ports[i32(id)]; // ports[0] is 0
  return a != 0 && changetype<Port>(a).serial == ref >> 8 ? id : 0;
}

/** The Port (address) a reference names, or 0: ipc_ref_id for the fast path. @inline */
function port_of_ref(ref: u64): u64 {
  let a = load<u64>(addr_of(ports) + ((ref & 0xff) << 3)); // in range (MAX_PORTS = 256); ports[0] is 0
  return a != 0 && changetype<Port>(a).serial == ref >> 8 ? a : 0;
}

export function ipc_ref_valid(ref: u64): bool {
  return ipc_ref_id(ref) != 0;
}

/** Revokes every reference to port id (gives it a new serial); the new reference, or 0. */
export function ipc_port_revoke(id: u64): u64 {
  let flags = irq_save();
  let p = port_get(id);
  if (p != null) p.serial = next_serial++;
  irq_restore(flags);
  return ipc_port_ref(id);
}

/** A new port owned by `owner` (a pid, or 0 for the kernel); its id, or 0 when none is left. */
export function ipc_create_port(owner: u64): u64 {
  let flags = irq_save();
  for (let id: u64 = 1; id < MAX_PORTS; id++) {
    if (ports[i32(id)] != 0) continue;
    let q = kmalloc(u64(IPC_QUEUE_CAPACITY) * sizeof<IpcMessage>());
    if (q == 0) break;
    let p = changetype<Port>(slab_zalloc(port_cache)); // every field of Port starts at zero
    if (changetype<u64>(p) == 0) {
      kfree(q);
      break;
    }
    p.id = id;
    p.serial = next_serial++;
    p.owner = owner;
    p.queue = q;
    ports[i32(id)] = changetype<u64>(p);
    live_ports++;
    irq_restore(flags);
    return id;
  }
  irq_restore(flags);
  return 0;
}

export function ipc_port_owner(id: u64): u64 {
  let p = port_get(id);
  return p == null ? 0 : p.owner;
}

export function ipc_port_exists(id: u64): bool {
  return port_get(id) != null;
}

function wake_caller_of(a: u64, port: u64): void {
  let t = thr(a);
  if (t.reply_msg_id != 0 && t.call_port == port && t.state == THREAD_BLOCKED) {
    t.reply_msg_id = 0;
    thread_wake(a, E_DESTROYED);
  }
}

/** Destroys a port and wakes all its waiters with E_DESTROYED. */
export function ipc_destroy_port(id: u64): i64 {
  let flags = irq_save();
  let r = ipc_destroy_port_locked(id);
  irq_restore(flags);
  sched_preempt_point();
  return r;
}

/** ipc_destroy_port with interrupts already off and no rescheduling (for exiting processes). */
export function ipc_destroy_port_locked(id: u64): i64 {
  let p = port_get(id);
  if (p == null) return E_BADPORT;
  ports[i32(id)] = 0;
  live_ports--;
  waitq_wake_all(p.receivers, E_DESTROYED);
  waitq_wake_all(p.senders, E_DESTROYED);
  waitq_wake_all(p.callers, E_DESTROYED);
  thread_for_each(wake_caller_of, id);
  while (p.count > 0) {
    let slot = changetype<IpcMessage>(p.queue + u64(p.head) * sizeof<IpcMessage>());
    if (slot.buffer != 0) ipc_buf_free(slot.buffer);
    p.head = (p.head + 1) % IPC_QUEUE_CAPACITY;
    p.count--;
  }
  kfree(p.queue);
  destroy(p);
  return E_OK;
}

function inline_of(m: IpcMessage): u64 {
  return changetype<u64>(m) + offsetof<IpcMessage>("inline_data");
}

/** Fills dst from src as the kernel sees it in transit: kbuf is the kernel copy of the buffer. */
function stage(dst: IpcMessage, src: IpcMessage, sender: u64, id: u64, flags: u32, kbuf: u64): void {
  dst.sender_tid = sender;
  dst.msg_id = id;
  dst.type = src.type;
  dst.flags = flags;
  copy_inline(inline_of(dst), inline_of(src));
  dst.buffer = kbuf;
  dst.buffer_size = kbuf != 0 ? src.buffer_size : 0;
  dst.cap = (flags & IPC_FLAG_CAP) != 0 ? src.cap : 0; // a port reference (the system call checked it)
}

/**
 * A fast path's delivery of an inline-only message straight into the waiting thread t's
 * destination (t.ipc_dst), as finish would leave it (out.buffer kept, out.buffer_size 0); then
 * ipc_dst = 0 tells t that the message is in place. Inlined, with the words copied here rather
 * than by copy_inline: the fast paths then make no call before the switch, so they keep no values
 * in callee-saved registers (which they would have to save and restore).
 * @inline
 */
function deliver_direct(t: Thread, src: IpcMessage, sender: u64, id: u64, flags: u32): void {
  let d = t.ipc_dst;
  let s = changetype<u64>(src);
  store<u64>(d, sender);
  store<u64>(d, id, 8);
  store<u32>(d, src.type, 16);
  store<u32>(d, flags, 20);
  store<u64>(d, load<u64>(s, 24), 24);
  store<u64>(d, load<u64>(s, 32), 32);
  store<u64>(d, load<u64>(s, 40), 40);
  store<u64>(d, load<u64>(s, 48), 48);
  store<u64>(d, load<u64>(s, 56), 56);
  store<u64>(d, load<u64>(s, 64), 64);
  store<u64>(d, load<u64>(s, 72), 72);
  store<u64>(d, load<u64>(s, 80), 80);
  store<u64>(d, 0, 96); // buffer_size
  store<u64>(d, 0, 104); // cap: the fast paths pass none
  t.ipc_dst = 0;
}

/**
 * Copies the out-of-line buffer into the kernel; 1 = nothing to copy, 0 = out of memory. A system
 * call's message (the TCB's ipc_user) has its buffer in the kernel already (Thread.ipc_kbuf, copied
 * a page at a time with interrupts on, syscall.ts): taken over here, not copied. (Such a kernel
 * copy may hold no data: one that carries a granted shared-memory object, ipc/message.ts.)
 */
function copy_in_buffer(m: IpcMessage): u64 {
  let me = thread_current();
  if (m == me.ipc_user) {
    let kbuf = me.ipc_kbuf;
    me.ipc_kbuf = 0;
    return kbuf != 0 ? kbuf : 1;
  }
  if (m.buffer_size == 0 || m.buffer == 0) return 1;
  let k = ipc_buf_alloc(m.buffer_size, 0); // a kernel sender's: charged to nobody
  if (k != 0) memcpy(k, m.buffer, m.buffer_size);
  return k;
}

/** A plain send (not a call: see call_slow) with interrupts off; returns a status. */
function send_locked(id: u64, msg: IpcMessage, flags: u64): i64 {
  if (msg.buffer_size > IPC_MAX_BUFFER) return E_TOOBIG;
  let p = port_get(id);
  if (p == null) return E_BADPORT;
  // The buffer is taken before any wait: a user buffer is checked by the system call, and while
  // we sleep another thread of the process may unmap it.
  let k = copy_in_buffer(msg);
  if (k == 0) return E_NOMEM;
  let kbuf = k == 1 ? 0 : k;
  while (p.receivers.head == 0 && p.count >= IPC_QUEUE_CAPACITY) {
    let r = (flags & IPC_NONBLOCK) != 0 ? E_FULL : waitq_sleep(p.senders);
    if (r == E_OK && port_get(id) == null) r = E_DESTROYED;
    if (r != E_OK) {
      if (kbuf != 0) ipc_buf_free(kbuf);
      return r;
    }
    p = port_get(id)!;
  }
  let me = thread_current();
  let msg_id = next_msg_id++;
  let r = p.receivers.head;
  if (r != 0) {
    stage(thr(r).ipc_msg, msg, me.tid, msg_id, msg.flags & IPC_FLAG_CAP, kbuf); // hand over: no queueing
    thr(r).reply_to = 0;
    thread_wake(r, E_OK);
  } else {
    let slot = changetype<IpcMessage>(p.queue + u64((p.head + p.count) % IPC_QUEUE_CAPACITY) * sizeof<IpcMessage>());
    stage(slot, msg, me.tid, msg_id, msg.flags & IPC_FLAG_CAP, kbuf);
    p.count++;
  }
  p.sent++;
  return E_OK;
}

/**
 * The reply right's holder for a call received by t: its process (any of its
 * threads may answer, e.g. a worker the receiver hands the call to), or t itself for a kernel thread.
 * @inline
 */
function reply_holder_of(t: Thread): u64 {
  return t.proc != 0 ? t.proc : thread_addr(t);
}
// Messages delivered by the fast paths (tests and benchmarks): the TypeScript ones count in
// fast_*, the assembly ones (arch/x86_64/ipcfast.S) in asm_fast_*, so a test can tell them apart.
let fast_calls: u64 = 0;
let fast_replies: u64 = 0;
export let asm_fast_calls: u64 = 0;
export let asm_fast_replies: u64 = 0;
// 0 turns the assembly fast paths off (their entries jump straight to the TypeScript ones): the
// test that compares the two sets it; nothing else does.
export let asm_fast_on: u64 = 1;

/** Sends msg to port id. Blocks while the queue is full unless flags has IPC_NONBLOCK. */
export function ipc_send(id: u64, msg: IpcMessage, flags: u64): i64 {
  let irq = irq_save();
  let r = send_locked(id, msg, flags);
  irq_restore(irq);
  sched_preempt_point();
  return r;
}

/**
 * Delivers the staged message into `out`: header and inline data, and the buffer into out.buffer
 * (capacity out.buffer_size on entry, bytes received on return; E_TRUNC if it did not fit). For a
 * system call's message (the TCB's ipc_user) the buffer is not copied here, with interrupts off:
 * the kernel copy is left in Thread.ipc_kbuf for the system call (syscall.ts message_out).
 */
function finish(staged: IpcMessage, out: IpcMessage): i64 {
  let dst = out.buffer;
  let cap = out.buffer_size;
  let kbuf = staged.buffer;
  let size = staged.buffer_size;
  out.sender_tid = staged.sender_tid;
  out.msg_id = staged.msg_id;
  out.type = staged.type;
  out.flags = staged.flags;
  out.cap = staged.cap;
  copy_inline(inline_of(out), inline_of(staged));
  out.buffer = dst;
  out.buffer_size = 0;
  staged.buffer = 0;
  if (kbuf == 0) return E_OK;
  let n = size <= cap ? size : cap;
  out.buffer_size = n;
  let me = thread_current();
  if (out == me.ipc_user) {
    me.ipc_kbuf = kbuf; // a system call's: copied out a page at a time with interrupts on (syscall.ts)
  } else {
    if (n > 0 && dst != 0) ipc_buf_copy(dst, kbuf, n); // bytes, or pages moved by mapping
    ipc_buf_free(kbuf);
  }
  return n < size ? E_TRUNC : E_OK;
}

/** After a successful wait: the message is in out already (a fast path put it there) or staged. */
function take(me: Thread, out: IpcMessage): i64 {
  if (me.ipc_dst == 0) return E_OK;
  me.ipc_dst = 0;
  return finish(me.ipc_msg, out);
}

/**
 * Waits for a message into the caller's TCB (thread.ipc_msg), or into `dst` when a fast path
 * delivers it (see Thread.ipc_dst), without delivering a staged one (take does).
 */
function receive_staged(id: u64, flags: u64, owner_check: bool, owner: u64, dst: IpcMessage): i64 {
  let p = port_get(id);
  if (p == null || (owner_check && p.owner != owner)) return E_BADPORT;
  let me = thread_current();
  me.ipc_dst = changetype<u64>(dst);
  if (p.count > 0) {
    me.reply_to = 0; // a queued message is never a call
    copy_message(changetype<u64>(me.ipc_msg), p.queue + u64(p.head) * sizeof<IpcMessage>());
    p.head = (p.head + 1) % IPC_QUEUE_CAPACITY;
    p.count--;
    waitq_wake_one(p.senders, E_OK);
  } else if (p.callers.head != 0) {
    take_caller(p, me);
  } else {
    if ((flags & IPC_NONBLOCK) != 0) return E_AGAIN;
    let r = waitq_sleep(p.receivers);
    if (r != E_OK) return r;
  }
  return E_OK;
}

/**
 * Takes the first call waiting on p's callers queue into me.ipc_msg: the caller stays blocked,
 * now for the reply, and the reply right is ours (reply_holder).
 */
function take_caller(p: Port, me: Thread): void {
  let c = thr(p.callers.head);
  let a = fifo_pop(p.callers, c);
  c.waitq = 0;
  let req = changetype<IpcMessage>(c.call_req);
  stage(me.ipc_msg, req, c.tid, c.reply_msg_id, IPC_FLAG_CALL | (req.flags & IPC_FLAG_CAP), c.ipc_kbuf);
  c.call_req = 0;
  c.ipc_kbuf = 0;
  c.reply_holder = reply_holder_of(me);
  me.reply_to = a;
}

function receive_locked(id: u64, out: IpcMessage, flags: u64): i64 {
  let r = receive_staged(id, flags, false, 0, out);
  return r == E_OK ? take(thread_current(), out) : r;
}

/** Receives from port id into out, blocking until a message arrives (see finish for buffers). */
export function ipc_receive(id: u64, out: IpcMessage): i64 {
  let irq = irq_save();
  let r = receive_locked(id, out, 0);
  irq_restore(irq);
  sched_preempt_point();
  return r;
}

/** Like ipc_receive, but E_AGAIN instead of blocking when nothing is queued. */
export function ipc_try_receive(id: u64, out: IpcMessage): i64 {
  let irq = irq_save();
  let r = receive_locked(id, out, IPC_NONBLOCK);
  irq_restore(irq);
  return r;
}

/**
 * The system-call halves: wait for a message (or a reply) into the TCB's ipc_user (`m`, which
 * a fast path may fill directly) or staged in ipc_msg, check the destination again in the
 * caller's context (it may have been unmapped while we slept), then deliver it into m with
 * ipc_deliver_staged or drop it with ipc_drop_staged.
 */
export function ipc_receive_staged(id: u64, flags: u64, owner: u64, m: IpcMessage): i64 {
  let irq = irq_save();
  let r = receive_staged(id, flags, true, owner, m);
  irq_restore(irq);
  return r;
}

export function ipc_call_staged(id: u64, m: IpcMessage): i64 {
  let irq = irq_save();
  let r = ipc_call_locked(id, m, m, true);
  irq_restore(irq);
  return r;
}

export function ipc_deliver_staged(out: IpcMessage): i64 {
  return take(thread_current(), out);
}

/**
 * Drops the message a wait ended with (m: the destination a fast path delivered into, else it is
 * staged in the TCB). A dropped call would leave its caller blocked for a reply that can never
 * come (nobody saw its msg_id): the caller wakes with E_FAULT instead.
 */
export function ipc_drop_staged(m: IpcMessage): void {
  let me = thread_current();
  if (me.ipc_dst != 0) {
    m = me.ipc_msg;
    if (m.buffer != 0) ipc_buf_free(m.buffer);
    m.buffer = 0;
  }
  me.ipc_dst = 0;
  if ((m.flags & IPC_FLAG_CALL) == 0 || m.msg_id == 0) return;
  let a = caller_of(me, m);
  if (a == 0) return;
  thr(a).reply_msg_id = 0;
  thread_wake(a, E_FAULT);
}

/**
 * The general path of a call: hand it to a waiting receiver, or wait on the port's callers queue
 * for one (take_caller); either way then block until the reply (or an error) wakes us. A call
 * is never queued as a message: whoever receives it is known, and holds its reply right.
 */
function call_slow(id: u64, req: IpcMessage, resp: IpcMessage, keep: bool): i64 {
  if (req.buffer_size > IPC_MAX_BUFFER) return E_TOOBIG;
  let p = port_get(id);
  if (p == null) return E_BADPORT;
  let me = thread_current();
  if (me.killed) return E_KILLED; // killed while preempted in the system call: no wait
  let k = copy_in_buffer(req);
  if (k == 0) return E_NOMEM;
  let kbuf = k == 1 ? 0 : k;
  let msg_id = next_msg_id++;
  me.ipc_dst = changetype<u64>(resp);
  me.reply_msg_id = msg_id;
  me.call_port = id;
  p.sent++;
  let ra = p.receivers.head;
  if (ra != 0) {
    let r = thr(ra);
    stage(r.ipc_msg, req, me.tid, msg_id, IPC_FLAG_CALL | (req.flags & IPC_FLAG_CAP), kbuf);
    r.reply_to = thread_addr(me);
    me.reply_holder = reply_holder_of(r);
    thread_wake(ra, E_OK);
  } else {
    me.call_req = changetype<u64>(req);
    me.ipc_kbuf = kbuf; // copy_in_buffer took it from there: it waits with the call
    waitq_add(p.callers, thread_addr(me));
  }
  let st = thread_block();
  me.reply_msg_id = 0;
  if (me.call_req != 0 && me.ipc_kbuf != 0) ipc_buf_free(me.ipc_kbuf); // never received: woken by an error
  if (me.call_req != 0) me.ipc_kbuf = 0;
  me.call_req = 0;
  return st != E_OK || keep ? st : take(me, resp);
}

/**
 * The call fast path's test, for the port at address pa (0: none) and a request req: pa when
 * req carries inline data only and a receiver waits whose destination may be written now (a user
 * page in the direct map, SYS_IPC_REPLY_WAIT's, only while no user page has been unmapped since
 * it was checked: Thread.ipc_gen). A receiver waiting on p.receivers is blocked on nothing else
 * (receives have no timeout) and has its ipc_dst set. 0: the general path runs (nothing has
 * changed). Inlined, like everything on the fast paths (see deliver_direct).
 * @inline
 */
function call_takes(pa: u64, req: IpcMessage): u64 {
  if (pa == 0 || req.buffer_size != 0) return 0;
  let ra = changetype<Port>(pa).receivers.head;
  if (ra == 0) return 0;
  let gen = thr(ra).ipc_gen;
  return gen == 0 || gen == user_gen() ? pa : 0;
}

/**
 * The call fast path once call_takes holds: takes p's first receiver, hands req straight into its
 * destination as a call, blocks us (me, running on c) for the reply into dst (gen: the user-unmap
 * generation dst was checked at, 0 for kernel memory; see reply_target) and switches straight to
 * the receiver (sched_handoff). Returns when the reply or an error has woken us.
 * @inline
 */
function call_handoff(c: Cpu, me: Thread, p: Port, req: IpcMessage, dst: u64, gen: u64): void {
  let ra = p.receivers.head;
  let r = thr(ra);
  fifo_pop(p.receivers, r);
  r.waitq = 0;
  p.sent++;
  let msg_id = next_msg_id++;
  me.ipc_dst = dst;
  me.ipc_gen = gen;
  me.reply_msg_id = msg_id;
  me.call_port = p.id;
  me.state = THREAD_BLOCKED;
  me.reply_holder = reply_holder_of(r);
  r.wait_result = E_OK;
  r.reply_to = c.current;
  deliver_direct(r, req, me.tid, msg_id, IPC_FLAG_CALL);
  fast_calls++;
  sched_handoff(c, ra);
}

/** The Port address for port id, 0 when there is none. @inline */
function port_addr(id: u64): u64 {
  return id < MAX_PORTS ? load<u64>(addr_of(ports) + (id << 3)) : 0; // ports[0] is 0
}

/**
 * ipc_call with interrupts off: the call fast path (see the top of the file), else call_slow.
 * ipc_call (arch/x86_64/switch.S) saves the flags, clears IF and calls it with keep = false: the
 * reply lands in resp. With keep (the system call) a reply staged by the general path stays in
 * the TCB for ipc_deliver_staged, which checks the user's destination first.
 */
export function ipc_call_locked(id: u64, req: IpcMessage, resp: IpcMessage, keep: bool): i64 {
  let pa = call_takes(port_addr(id), req);
  if (pa == 0) return call_slow(id, req, resp, keep);
  let c = this_cpu();
  call_handoff(c, thr(c.current), changetype<Port>(pa), req, changetype<u64>(resp), 0);
  // Nothing is carried across the switch (no callee-saved registers to save): found again.
  let me = thread_current();
  me.reply_msg_id = 0;
  let st = me.wait_result;
  if (st != E_OK || me.ipc_dst == 0 || keep) return st; // the reply is in resp, kept, or an error
  return take(me, changetype<IpcMessage>(me.ipc_dst));
}

/** The user fast paths' result besides E_OK and the (negative) errors. */
export const CALL_STAGED: i64 = 2; // the message that woke us is staged in the TCB (the general path's)

/**
 * The first half of SYS_IPC_SEND's call fast path (syscall.ts sys_ipc_call; interrupts are off in
 * a system call): the port (address) that the call in the user's message, at kva in the direct
 * map (mm/usercopy.ts user_msg_kva_cached), can be handed over on, or 0 (nothing has changed: the
 * general path decides, errors included). h is the caller's handle for it, looked up in its
 * capability table with the send right (ipc/cap.ts). Inlined into the system call.
 * @inline
 */
export function ipc_call_user_port(me: Thread, h: u64, kva: u64): u64 {
  return call_takes(port_of_ref(cap_lookup(changetype<CapTable>(me.caps), h, CAP_SEND)), changetype<IpcMessage>(kva));
}

/**
 * The second half: the call fast path with no kernel staging. The user's message is read in place
 * and the reply written straight into it through the direct map: the server may run in another
 * address space. The reply goes there only while no user page has been unmapped since the check
 * (ipc_gen, see reply_target); else it is staged (CALL_STAGED) and the system call checks the
 * page again. E_OK, an error, or CALL_STAGED. Nothing is carried across the switch: the thread is
 * found again after it (no callee-saved registers to save).
 * @inline
 */
export function ipc_call_user(c: Cpu, me: Thread, pa: u64, kva: u64): i64 {
  call_handoff(c, me, changetype<Port>(pa), changetype<IpcMessage>(kva), kva, user_gen());
  me = thread_current();
  me.reply_msg_id = 0;
  me.ipc_gen = 0;
  let st = me.wait_result;
  return st != E_OK || me.ipc_dst == 0 ? st : CALL_STAGED;
}

/** Sends req as a call and waits for the reply, delivered into resp like a receive. */
export declare function ipc_call(id: u64, req: IpcMessage, resp: IpcMessage): i64;

/**
 * The thread waiting for the reply to req, or 0. O(1) when req is the call last handed to us
 * (reply_to); otherwise (an older call) a lookup by tid. msg_ids are unique, so a matching
 * reply_msg_id names the very call; and only the holder of its reply right (who received it)
 * may answer it: a tid and a msg_id guessed by anyone else name nothing.
 */
function caller_of(me: Thread, req: IpcMessage): u64 {
  let a = me.reply_to;
  if (a == 0 || thr(a).tid != req.sender_tid) {
    let t = thread_find(req.sender_tid);
    if (t == null) return 0;
    a = thread_addr(t);
  }
  let t = thr(a);
  let ok = t.reply_msg_id == req.msg_id && t.state == THREAD_BLOCKED && t.reply_holder == reply_holder_of(me);
  return ok ? a : 0;
}

/** ipc_reply with interrupts off and no rescheduling. */
function reply_locked(req: IpcMessage, resp: IpcMessage): i64 {
  if ((req.flags & IPC_FLAG_CALL) == 0 || req.msg_id == 0) return E_INVAL;
  if (resp.buffer_size > IPC_MAX_BUFFER) return E_TOOBIG;
  let me = thread_current();
  let a = caller_of(me, req);
  if (a == 0) return E_INVAL;
  let k = copy_in_buffer(resp);
  if (k == 0) return E_NOMEM;
  let t = thr(a);
  stage(t.ipc_msg, resp, me.tid, req.msg_id, 0, k == 1 ? 0 : k);
  t.reply_msg_id = 0;
  thread_wake(a, E_OK);
  return E_OK;
}

/** Answers a call received as `req`: resp goes to the waiting caller, who wakes up. */
export function ipc_reply(req: IpcMessage, resp: IpcMessage): i64 {
  let irq = irq_save();
  let r = reply_locked(req, resp);
  irq_restore(irq);
  sched_preempt_point();
  return r;
}

/**
 * The general path of ipc_reply_wait: reply_locked, then receive_locked. Not inlined: its values
 * live across calls would cost the fast path callee-saved registers. @noinline
 */
function reply_wait_slow(id: u64, req: IpcMessage, resp: IpcMessage): i64 {
  let r = (req.flags & IPC_FLAG_CALL) != 0 ? reply_locked(req, resp) : E_OK;
  if (r != E_OK) req.flags = 0;
  else r = receive_locked(id, req, 0);
  sched_preempt_point(); // the reply may have readied a higher priority caller
  return r;
}

/**
 * The reply-and-wait fast path's test: the caller waiting for the reply to req when the reply
 * can go straight to it (it is our reply_to and its reply right is holder's, reply_holder_of(me);
 * inline data only; the port p has nothing queued; and, when the caller's ipc_dst is a user page
 * in the direct map, no user page unmapped since it was checked), else 0. A nonzero reply_msg_id equal to req's means that very call is blocked
 * waiting (every waker clears it), with its ipc_dst set.
 * @inline
 */
function reply_target(me: Thread, holder: u64, p: Port, req: IpcMessage, msg_id: u64, resp: IpcMessage): u64 {
  let a = me.reply_to;
  if (a == 0 || (req.flags & IPC_FLAG_CALL) == 0 || msg_id == 0 || resp.buffer_size != 0) return 0;
  let t = thr(a);
  // reply_to names the caller of the last call handed to us, but that call may be over and the
  // caller in another one now (msg_ids are guessable): its reply right must be ours.
  if (t.reply_msg_id != msg_id || t.reply_holder != holder) return 0;
  if (t.ipc_gen != 0 && t.ipc_gen != user_gen()) return 0; // its page may be gone: stage the reply
  return p.count == 0 && p.callers.head == 0 ? a : 0; // else the next message is there already
}

/**
 * The reply-and-wait fast paths' common part (reply_target has chosen the caller a): resp goes
 * straight into a's destination, we wait on p's receivers with our destination dst, and the CPU
 * goes straight to a (sched_handoff). Returns when a message or an error wakes us.
 * @inline
 */
function reply_and_wait(c: Cpu, me: Thread, a: u64, p: Port, resp: IpcMessage, msg_id: u64, dst: u64): void {
  let t = thr(a);
  t.reply_msg_id = 0;
  t.wait_result = E_OK;
  deliver_direct(t, resp, me.tid, msg_id, 0);
  fast_replies++;
  me.ipc_dst = dst;
  me.state = THREAD_BLOCKED;
  waitq_add(p.receivers, c.current);
  sched_handoff(c, a);
}

/**
 * ipc_reply_wait with interrupts off (the wrapper in arch/x86_64/switch.S, which passes c =
 * this_cpu()): a server's loop step.
 * Answers the call in req with resp (when req is a call), then waits on port id for the next
 * message, received into req like ipc_receive (set req.buffer and req.buffer_size for it first).
 * If the reply fails (the caller is gone: E_INVAL; E_TOOBIG, E_NOMEM) that status is returned
 * without waiting, and req is marked answered (flags 0) so that calling again just waits.
 */
export function ipc_reply_wait_locked(id: u64, req: IpcMessage, resp: IpcMessage, c: Cpu): i64 {
  let me = thr(c.current);
  let pa = port_addr(id);
  let msg_id = req.msg_id;
  let a = pa != 0 ? reply_target(me, reply_holder_of(me), changetype<Port>(pa), req, msg_id, resp) : 0;
  if (a == 0) return reply_wait_slow(id, req, resp);
  reply_and_wait(c, me, a, changetype<Port>(pa), resp, msg_id, changetype<u64>(req));
  // Nothing is carried across the switch (no callee-saved registers to save): if the message was
  // staged by the general path, our ipc_dst is still req (only a fast path clears it).
  me = thread_current();
  let r = me.wait_result;
  if (r != E_OK || me.ipc_dst == 0) return r; // the message is in req, or it is an error
  return take(me, changetype<IpcMessage>(me.ipc_dst));
}

/** A server's loop step: reply to req with resp, then receive into req (ipc_reply_wait_locked). */
export declare function ipc_reply_wait(id: u64, req: IpcMessage, resp: IpcMessage): i64;

/**
 * The first half of SYS_IPC_REPLY_WAIT's fast path (syscall.ts sys_ipc_reply_wait; interrupts
 * off): ipc_reply_wait_locked's test for a user server whose message, at kva in the direct map,
 * holds the call it answers and the reply (an inline-only answer: one message for both), and
 * receives the next message. h is its handle with the receive right. The port (address), or 0
 * (nothing has changed: the general path decides, errors included).
 * @inline
 */
export function ipc_reply_wait_user_port(me: Thread, h: u64, kva: u64): u64 {
  let pa = port_of_ref(cap_lookup(changetype<CapTable>(me.caps), h, CAP_RECEIVE));
  if (pa == 0 || changetype<Port>(pa).owner != proc_pid(me.proc) || me.killed) return 0;
  let req = changetype<IpcMessage>(kva);
  return reply_target(me, me.proc, changetype<Port>(pa), req, req.msg_id, req) != 0 ? pa : 0; // holder: our process
}

/**
 * The second half: the reply goes straight into the caller's destination (our reply_to, chosen
 * by reply_target), and we wait on the port for the next message, which a call fast path delivers
 * straight into our page while no user page is unmapped (ipc_gen; call_takes checks it).
 * E_OK, an error, or CALL_STAGED (the message was staged by the general path: the system call
 * delivers it as a receive does).
 * @inline
 */
export function ipc_reply_wait_user(c: Cpu, me: Thread, pa: u64, kva: u64): i64 {
  let a = me.reply_to;
  let msg_id = thr(a).reply_msg_id; // what reply_target matched (the user's copy may change)
  me.ipc_gen = user_gen();
  reply_and_wait(c, me, a, changetype<Port>(pa), changetype<IpcMessage>(kva), msg_id, kva);
  me = thread_current();
  me.ipc_gen = 0;
  let r = me.wait_result;
  return r != E_OK || me.ipc_dst == 0 ? r : CALL_STAGED;
}

/** Messages the call fast paths and the reply-and-wait fast paths delivered (tests). */
export function ipc_fast_calls(): u64 {
  return fast_calls + asm_fast_calls;
}

export function ipc_fast_replies(): u64 {
  return fast_replies + asm_fast_replies;
}

/** The assembly fast paths' own counts (tests). */
export function ipc_asm_fast_calls(): u64 {
  return asm_fast_calls;
}

export function ipc_asm_fast_replies(): u64 {
  return asm_fast_replies;
}

/** Turns the assembly fast paths on or off (the test that compares them with the TypeScript ones). */
export function ipc_asm_fast_set(on: bool): void {
  asm_fast_on = on ? 1 : 0;
}

export function ipc_live_ports(): u64 {
  return live_ports;
}

/** Messages waiting in a port's queue (for tests), or -1 for a bad port. */
export function ipc_queued(id: u64): i64 {
  let p = port_get(id);
  return p == null ? -1 : i64(p.count);
}

/** Whether a receiver waits on a port (for tests that must start with the server ready). */
export function ipc_receiver_waiting(id: u64): bool {
  let p = port_get(id);
  return p != null && p.receivers.head != 0;
}
