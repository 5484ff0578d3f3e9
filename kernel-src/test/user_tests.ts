// Self-tests from ring 3: the system-call error paths (user/systest), faulting programs that must
// be killed while everything else goes on (user/fault, user/priv), and the demo program.

import { check, check_eq, frames_free } from "./ktest";
import { kprint } from "../lib/log";
import { proc_spawn_path, proc_wait, proc_live, EXIT_FAULT_BASE } from "../proc/process";
import { vmm_spaces_alive } from "../mm/vmm";
import { ipc_live_ports } from "../ipc/port";
import { IpcMessage, SVC_UPPER } from "../abi/ipc";
import { E_OK } from "../abi/errors";
import { ipc_call } from "../ipc/port";
import { service_port_id } from "../ipc/service";
import { thread_count } from "../sched/scheduler";
import { pmm_free_frames } from "../mm/pmm";
import { heap_check } from "../mm/heap";
import { thread_sleep } from "../sched/scheduler";
import { kmalloc, kfree, kmalloc_live_objects } from "../mm/kmalloc";
import { ipc_send } from "../ipc/port";
import { user_copies_out_ticked } from "../mm/usercopy";
import { clock_ticks } from "../time/clock";
import { IPC_MAX_BUFFER } from "../abi/ipc";
import { victim_start, victim_ended, orphan_start, orphan_ended } from "./hostile_tests";


const USER_PRIORITY: u8 = 32;
const VEC_GP: i64 = 13;
const VEC_PF: i64 = 14;

let frames_at_start: u64 = 0;

function run(path: string): i64 {
  let p = proc_spawn_path(path, USER_PRIORITY, false);
  if (p == null) return 9999;
  return proc_wait(p);
}

export function test_user_syscalls(): bool {
  frames_at_start = frames_free();
  let code = run("/bin/systest");
  return check_eq(u64(code), 0, "systest failures (its exit status)");
}

export function test_user_faults(): bool {
  let threads = thread_count();
  let code = run("/bin/fault");
  let ok = check_eq(u64(code), u64(EXIT_FAULT_BASE - VEC_PF), "bad pointer: killed by #PF");
  code = run("/bin/priv");
  ok = check_eq(u64(code), u64(EXIT_FAULT_BASE - VEC_GP), "hlt in ring 3: killed by #GP") && ok;
  // the kernel and its other threads go on: the service still answers
  let req = new IpcMessage();
  let resp = new IpcMessage();
  req.type = SVC_UPPER;
  ok = check(ipc_call(service_port_id(), req, resp) == E_OK, "service alive after user faults") && ok;
  destroy(req);
  destroy(resp);
  ok = check_eq(thread_count(), threads, "faulting threads gone") && ok;
  return ok;
}

/**
 * The system-call fuzzer (user/fuzz): thousands of hostile calls from ring 3. A kernel fault
 * ends the boot; here: it saw only sane results, and the kernel is whole afterwards (heap
 * consistent, every frame and heap block back, no thread left, the service still answers).
 */
export function test_user_fuzz(): bool {
  let frames = frames_free();
  let blocks = kmalloc_live_objects();
  let threads = thread_count();
  // Cross-process effects while the fuzzer runs: user/victim calls the service (the fuzzer also
  // aims forged replies at it: victim is started just before it, so its tid is the fuzzer's - 1),
  // and user/orphan's killed child must never run.
  let victim = victim_start();
  let code = run("/bin/fuzz");
  let watch = orphan_start();
  let ok = check_eq(u64(code), 0, "fuzz: insane results (its exit status)");
  ok = check(victim != null && victim_ended(victim!), "fuzz: no forged reply reached another process") && ok;
  ok = check(watch != 0 && orphan_ended(watch), "fuzz: a killed thread never ran") && ok;
  ok = check(heap_check(), "heap consistent after the fuzzer") && ok;
  ok = check_eq(frames_free(), frames, "fuzz: every frame returned") && ok;
  ok = check_eq(kmalloc_live_objects(), blocks, "fuzz: every allocation returned") && ok;
  ok = check_eq(thread_count(), threads, "fuzz: its threads gone") && ok;
  let req = new IpcMessage();
  let resp = new IpcMessage();
  req.type = SVC_UPPER;
  ok = check(ipc_call(service_port_id(), req, resp) == E_OK, "service alive after the fuzzer") && ok;
  destroy(req);
  destroy(resp);
  return ok;
}

/** Frames a process may hold beyond its start at any time while it churns threads (1 MiB). */
const CHURN_FRAMES_MAX: u64 = 256;

/**
 * user/threads creates and ends 200 threads one after another, each touching 13 pages of its
 * stack (3200 frames in all had the stacks stayed until the process exit). We sample the free
 * frames every tick while it runs (we have the higher priority): the most it ever held stays
 * small, and every frame is back once it has exited.
 */
export function test_user_thread_stacks(): bool {
  let frames = frames_free();
  let threads = thread_count();
  let p = proc_spawn_path("/bin/threads", USER_PRIORITY, false);
  if (p == null) return check(false, "spawn threads");
  let least = frames;
  while (!p.exited) {
    let f = frames_free();
    if (f < least) least = f;
    thread_sleep(1);
  }
  kprint(`# threads: at most ${frames - least} frames held\n`);
  let ok = check_eq(u64(proc_wait(p)), 0, "threads: every round ok (fresh stacks, messages)");
  ok = check(frames - least < CHURN_FRAMES_MAX, "threads: frames held stay bounded") && ok;
  ok = check_eq(frames_free(), frames, "threads: every frame back after exit") && ok;
  ok = check_eq(thread_count(), threads, "threads: all gone") && ok;
  return ok;
}

const STOP_TYPE: u32 = 0xffffffff;
const BIG_ROUNDS_MAX: u64 = 20000;
const BIG_TICKS_MAX: u64 = 1000; // 10 s

/**
 * We send 64 KiB buffers (word i of message r: r << 32 | 8 i) to user/bigrecv, which receives
 * each into a buffer over 17 pages and checks it, until the kernel has seen a timer tick taken
 * in the middle of copying one out (between two pages: copy_to_user counts it), then stop.
 * Each copy takes a small part of a 10 ms tick, so this takes some tens or hundreds of messages.
 */
export function test_user_receive_preemptible(): bool {
  let frames = frames_free();
  let seen = user_copies_out_ticked();
  let p = proc_spawn_path("/bin/bigrecv", USER_PRIORITY, false);
  if (p == null) return check(false, "spawn bigrecv");
  let buf = kmalloc(IPC_MAX_BUFFER);
  let m = new IpcMessage();
  let ok = check(buf != 0, "kmalloc 64 KiB");
  let t0 = clock_ticks();
  let round: u64 = 0;
  while (buf != 0 && user_copies_out_ticked() == seen && round < BIG_ROUNDS_MAX && clock_ticks() - t0 < BIG_TICKS_MAX) {
    for (let off: u64 = 0; off < IPC_MAX_BUFFER; off += 8) store<u64>(buf + off, (round << 32) | off);
    m.type = u32(round);
    m.buffer = buf;
    m.buffer_size = IPC_MAX_BUFFER;
    ok = check_eq(u64(ipc_send(p.port, m, 0)), 0, "send a 64 KiB buffer") && ok;
    round++;
  }
  m.type = STOP_TYPE;
  m.buffer = 0;
  m.buffer_size = 0;
  ok = check_eq(u64(ipc_send(p.port, m, 0)), 0, "send stop") && ok;
  destroy(m);
  if (buf != 0) kfree(buf);
  ok = check_eq(u64(proc_wait(p)), 0, "bigrecv: every buffer arrived whole") && ok;
  kprint(`# bigrecv: ${round} messages of 64 KiB, ${clock_ticks() - t0} ticks\n`);
  ok = check(user_copies_out_ticked() > seen, "a timer tick was taken in the middle of a receive's copy-out") && ok;
  ok = check_eq(frames_free(), frames, "bigrecv: every frame back") && ok;
  return ok;
}

export function test_user_demo(): bool {
  let code = run("/bin/demo");
  return check_eq(u64(code), 0, "demo exit status");
}

export function test_no_leaks(): bool {
  let ok = check_eq(proc_live(), 0, "no process left");
  ok = check_eq(vmm_spaces_alive(), 0, "no address space left") && ok;
  ok = check_eq(ipc_live_ports(), 1, "only the service port left") && ok;
  ok = check_eq(frames_free(), frames_at_start, "user programs returned every frame") && ok;
  return ok;
}
