// The benchmark boot (`bench` on the kernel command line): the kernel's hot paths measured in
// instructions. Run under QEMU with `-icount shift=0,align=off,sleep=off`, where the TSC advances once per
// executed guest instruction, so an rdtsc delta is an exact instruction count.
//
// Each benchmark runs BATCHES batches of N operations; a batch's cost is its rdtsc delta minus the
// same loop with no operation in it; the reported figure is the median batch cost divided by the
// operations in a batch (a timer interrupt landing in one batch moves only that batch).
// Lines printed: `bench <name> <instructions per op>`, then `bench done`; QEMU then exits through
// isa-debug-exit with EXIT_PASS. The ring-3 figures come from the user program kernel-src/user/bench,
// which prints its own `bench ...` lines with the same method.

import { kprint } from "../lib/log";
import { exit_device, EXIT_PASS, EXIT_FAIL } from "../arch/hal";
import { halt_forever } from "../arch/hal";
import {
  thread_create, thread_yield, thread_sleep, thread_sleep_ns, thread_affinity, thread_set_affinity,
} from "../sched/scheduler";
import { cpu_count } from "../sched/percpu";
import { clock_now_ns, clock_ticks } from "../time/clock";
import { PRIORITY_NORMAL } from "../sched/thread";
import { kmalloc, kfree } from "../mm/kmalloc";
import { vmm_map, vmm_unmap, vmm_kernel_space, PTE_W, PTE_NX } from "../mm/vmm";
import { pmm_alloc, pmm_free } from "../mm/pmm";
import { IpcMessage, inline_addr, IPC_FLAG_CAP } from "../abi/ipc";
import { E_OK, E_DESTROYED, E_BADPORT } from "../abi/errors";
import { ipc_create_port, ipc_destroy_port, ipc_reply_wait, ipc_call, ipc_send, ipc_port_ref } from "../ipc/port";
import { proc_spawn_path, proc_wait } from "../proc/process";
import { Spinlock, spin_lock, spin_unlock, spin_lock_irqsave, spin_unlock_irqrestore } from "../sync/spinlock";


const BATCHES: i32 = 9;
const N: u64 = 200;
/** An unused kernel virtual address for the map/unmap benchmark (below the heap, above the image). */
const BENCH_VA: u64 = 0xffffffffb0000000;
const USER_PRIORITY: u8 = 32;

let samples!: InlineArray<u64, 9>;
let stop: bool = false;
let echo_port: u64 = 0;

function median(): u64 {
  // insertion sort of BATCHES values: tiny and clear
  for (let i: i32 = 1; i < BATCHES; i++) {
    let v = samples[i];
    let j = i - 1;
    while (j >= 0 && samples[j] > v) {
      samples[j + 1] = samples[j];
      j--;
    }
    samples[j + 1] = v;
  }
  return samples[BATCHES >> 1];
}

/** Instructions of the measuring loop itself, with no operation in its body. */
function empty_loop(): u64 {
  let t0 = rdtsc();
  for (let i: u64 = 0; i < N; i++) barrier();
  return rdtsc() - t0;
}

function report(name: string, total: u64, ops_per_batch: u64): void {
  let per10 = (total * 10 + ops_per_batch / 2) / ops_per_batch; // one decimal
  kprint(`bench ${name} ${per10 / 10}.${per10 % 10}\n`);
}

/** Records batch b: delta of the timed loop minus the empty loop (never below 0). */
function sample(b: i32, delta: u64, empty: u64): void {
  samples[b] = delta > empty ? delta - empty : 0;
}

// ---- thread_yield between two kernel threads ----
function yielder(arg: u64): void {
  while (!stop) thread_yield();
}

function bench_yield(): void {
  stop = false;
  thread_create(yielder, 0, PRIORITY_NORMAL, "bench_yield");
  thread_yield(); // let it start
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) thread_yield();
    sample(b, rdtsc() - t0, empty);
  }
  stop = true;
  thread_yield(); // it sees stop and exits
  // each thread_yield here is two switches: to the yielder and back
  report("thread_yield_switch", median(), 2 * N);
}

// ---- IPC call/reply between two kernel threads (the server loops on ipc_reply_wait) ----
// The server loop every IPC server should use: ipc_reply_wait answers the last call and waits for
// the next one in one step (the fast path switches straight back to the caller).
function echo_server(port: u64): void {
  let req = new IpcMessage();
  let resp = new IpcMessage();
  while (true) {
    req.buffer = 0;
    req.buffer_size = 0;
    let r = ipc_reply_wait(port, req, resp);
    if (r == E_DESTROYED || r == E_BADPORT) break;
    if (r != E_OK) continue;
    store<u64>(inline_addr(resp), load<u64>(inline_addr(req)));
  }
  destroy(req);
  destroy(resp);
}

/** Reports the median cost of a call/reply round trip to port as name; false if a call failed. */
function bench_ipc_calls(name: string, port: u64, req: IpcMessage, resp: IpcMessage): bool {
  let ok = true;
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      if (ipc_call(port, req, resp) != E_OK) ok = false;
    }
    sample(b, rdtsc() - t0, empty);
  }
  report(name, median(), N);
  return ok;
}

function bench_ipc(): bool {
  let req = new IpcMessage();
  let resp = new IpcMessage();
  let ok = bench_ipc_calls("ipc_call_reply_kernel", echo_port, req, resp);
  destroy(req);
  destroy(resp);
  return ok;
}

// ---- kmalloc + kfree ----
function bench_heap(): void {
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) kfree(kmalloc(64));
    sample(b, rdtsc() - t0, empty);
  }
  report("kmalloc_kfree_64", median(), N);
}

// ---- uncontended spinlock: lock + unlock, plain and interrupt-safe ----
function bench_spinlock(): void {
  let l = new Spinlock();
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      spin_lock(l);
      spin_unlock(l);
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("spin_lock_unlock", median(), N);
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) spin_unlock_irqrestore(l, spin_lock_irqsave(l));
    sample(b, rdtsc() - t0, empty);
  }
  report("spin_lock_irqsave_restore", median(), N);
  destroy(l);
}

// ---- sleep precision: how late a 300 us sleep ends (clock nanoseconds, not instructions) ----
function bench_sleep(): void {
  for (let b: i32 = 0; b < BATCHES; b++) {
    let t = clock_ticks();
    while (clock_ticks() == t) pause(); // start just after a tick: a tick-bound sleep would be ~10 ms late
    let t0 = clock_now_ns();
    thread_sleep_ns(300000);
    let dt = clock_now_ns() - t0;
    samples[b] = dt > 300000 ? dt - 300000 : 0;
  }
  kprint(`bench sleep_300us_late_ns ${median()}\n`);
}

// ---- kmalloc + kfree of random sizes and lifetimes, 1024 live objects ----
// Each operation frees the object in a random slot and puts a new one of a random size there:
// sizes 8..1024 (about half from the slab's size classes' range, the rest mostly from the heap
// when above 512), lifetimes random, ~1024 objects live throughout. The baseline loop does the
// same random numbers and slot stores without allocating.
const MIXED_SLOTS: u64 = 1024;
let mixed!: InlineArray<u64, 1024>;
let mixed_rng: u64 = 0x2545f4914f6cdd1d;

/** @inline */
function mixed_rand(): u64 {
  mixed_rng ^= mixed_rng << 13;
  mixed_rng ^= mixed_rng >> 7;
  mixed_rng ^= mixed_rng << 17;
  return mixed_rng;
}

function bench_mixed(): bool {
  for (let i: u64 = 0; i < MIXED_SLOTS; i++) mixed[i32(i)] = kmalloc(8 + (mixed_rand() >> 20) % 1017);
  let ok = true;
  for (let b: i32 = 0; b < BATCHES; b++) {
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      let r = mixed_rand();
      let s = i32(r & (MIXED_SLOTS - 1));
      mixed[s] = mixed[s] + ((r >> 20) % 1017) * 0; // baseline: same work, no allocation
      barrier();
    }
    let empty = rdtsc() - t0;
    t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      let r = mixed_rand();
      let s = i32(r & (MIXED_SLOTS - 1));
      kfree(mixed[s]);
      mixed[s] = kmalloc(8 + (r >> 20) % 1017);
      barrier();
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("kmalloc_kfree_mixed", median(), N);
  for (let i: u64 = 0; i < MIXED_SLOTS; i++) {
    if (mixed[i32(i)] == 0) ok = false;
    kfree(mixed[i32(i)]);
  }
  return ok;
}

// ---- page map + unmap in the kernel's address space ----
function bench_map(): bool {
  let space = vmm_kernel_space();
  let pa = pmm_alloc();
  let ok = vmm_map(space, BENCH_VA, pa, PTE_W | PTE_NX) && vmm_unmap(space, BENCH_VA); // page tables now exist
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      vmm_map(space, BENCH_VA, pa, PTE_W | PTE_NX);
      vmm_unmap(space, BENCH_VA);
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("page_map_unmap", median(), N);
  pmm_free(pa);
  return ok;
}

// ---- ring 3: the user program measures its system calls and calls into echo_port ----
function bench_user(): bool {
  let srv = proc_spawn_path("/bin/benchsrv", USER_PRIORITY, false);
  let p = proc_spawn_path("/bin/bench", USER_PRIORITY, false);
  if (p == null || srv == null) return false;
  // Its first message (queued before it runs: it has the lower priority) passes it a send right
  // to the echo port (the process gets a handle for it in its capability table).
  let m = new IpcMessage();
  m.flags = IPC_FLAG_CAP;
  m.cap = ipc_port_ref(echo_port);
  let ok = ipc_send(p.port, m, 0) == E_OK;
  m.cap = ipc_port_ref(srv.port); // then one to user/benchsrv's
  ok = ipc_send(p.port, m, 0) == E_OK && ok;
  destroy(m);
  ok = proc_wait(p) == 0 && ok;
  return proc_wait(srv) == 0 && ok;
}

// ---- several CPUs (a bench boot with -smp 2 or more) ----
// Under -icount the vCPUs take turns on one virtual clock that advances by one nanosecond per
// instruction executed by any of them: an rdtsc delta counts the instructions of every CPU
// together (and the spinning of a CPU waiting for a lock). So these figures are instructions of
// the whole machine per round trip; wall-clock parallelism does not show under -icount.

/** A kernel thread that moves to CPU `cpu`, then answers calls on `port` until the port goes. */
function pinned_server(arg: u64): void {
  thread_set_affinity(u64(1) << (arg >> 8));
  echo_server(arg & 0xff);
}

/** IPC call/reply with the caller on CPU 0 and the server on CPU 1: each way a reschedule IPI. */
function bench_ipc_cross_cpu(): bool {
  let port = ipc_create_port(0);
  thread_create(pinned_server, (u64(1) << 8) | port, PRIORITY_NORMAL, "bench_xcpu");
  let req = new IpcMessage();
  let resp = new IpcMessage();
  let ok = ipc_call(port, req, resp) == E_OK; // the server has moved to CPU 1 and waits
  ok = bench_ipc_calls("ipc_call_reply_cross_cpu", port, req, resp) && ok;
  ipc_destroy_port(port);
  destroy(req);
  destroy(resp);
  return ok;
}

// The scaling figure: PAIRS independent ping-pong pairs (a client calling its own server, both on
// one CPU), spread over the first k CPUs (pair i on CPU i % k), for k = 1, 2, 4. The clients start
// together (one alarm) and each times its PAIR_CALLS calls; the figure is the machine's
// instructions per round trip from the first start to the last end. Were each CPU as fast as one
// alone, k CPUs would give k times the one-CPU throughput at the one-CPU figure; a higher figure
// is what sharing costs (the kernel lock, IPIs, spinning).
const PAIRS: u64 = 4;
const PAIR_CALLS: u64 = 5000;
let pair_start!: InlineArray<u64, 4>;
let pair_end!: InlineArray<u64, 4>;
let pair_go: u64 = 0; // clock_now_ns when the clients start
let pairs_done: u64 = 0; // atomic
let pairs_failed: u64 = 0; // atomic

/** arg: CPU << 16 | pair << 8 | port. */
function pair_client(arg: u64): void {
  thread_set_affinity(u64(1) << (arg >> 16));
  let i = i32((arg >> 8) & 0xff);
  let port = arg & 0xff;
  let req = new IpcMessage();
  let resp = new IpcMessage();
  let now = clock_now_ns();
  if (now < pair_go) thread_sleep_ns(pair_go - now);
  let t0 = rdtsc();
  for (let n: u64 = 0; n < PAIR_CALLS; n++) {
    if (ipc_call(port, req, resp) != E_OK) atomic_fetch_add<u64>(addr_of(pairs_failed), 1);
  }
  pair_end[i] = rdtsc();
  pair_start[i] = t0;
  destroy(req);
  destroy(resp);
  atomic_fetch_add<u64>(addr_of(pairs_done), 1);
}

function bench_pairs(k: u64): bool {
  pairs_done = 0;
  pairs_failed = 0;
  pair_go = clock_now_ns() + 5000000; // after every thread below exists
  let ports!: InlineArray<u64, 4>;
  for (let i: u64 = 0; i < PAIRS; i++) {
    let cpu = i % k;
    ports[i32(i)] = ipc_create_port(0);
    thread_create(pinned_server, (cpu << 8) | ports[i32(i)], PRIORITY_NORMAL, "pair_server");
    thread_create(pair_client, (cpu << 16) | (i << 8) | ports[i32(i)], PRIORITY_NORMAL, "pair_client");
  }
  while (atomic_load<u64>(addr_of(pairs_done)) < PAIRS) thread_sleep(10);
  let first = pair_start[0];
  let last = pair_end[0];
  for (let i: i32 = 1; i < i32(PAIRS); i++) {
    if (pair_start[i] < first) first = pair_start[i];
    if (pair_end[i] > last) last = pair_end[i];
  }
  report(k == 1 ? "ipc_pairs_1cpu" : k == 2 ? "ipc_pairs_2cpu" : "ipc_pairs_4cpu", last - first, PAIRS * PAIR_CALLS);
  for (let i: i32 = 0; i < i32(PAIRS); i++) ipc_destroy_port(ports[i]);
  thread_sleep(10); // the servers see their ports go and exit
  return pairs_failed == 0;
}

function bench_smp(): bool {
  let pin = thread_affinity();
  thread_set_affinity(1);
  let ok = bench_ipc_cross_cpu();
  for (let k: u64 = 1; k <= cpu_count() && k <= PAIRS; k *= 2) ok = bench_pairs(k) && ok;
  thread_set_affinity(pin);
  return ok;
}

export function bench_main(arg: u64): void {
  kprint(`bench start (instructions per operation, median of ${BATCHES} batches of ${N})\n`);
  bench_yield();
  echo_port = ipc_create_port(0);
  thread_create(echo_server, echo_port, PRIORITY_NORMAL, "bench_echo");
  let ok = bench_ipc();
  bench_heap();
  bench_spinlock();
  bench_sleep();
  ok = bench_mixed() && ok;
  ok = bench_map() && ok;
  ok = bench_user() && ok;
  ipc_destroy_port(echo_port);
  if (cpu_count() > 1) ok = bench_smp() && ok;
  kprint(`bench done ${ok ? "ok" : "failed"}\n`);
  exit_device().exit(ok ? EXIT_PASS : EXIT_FAIL);
  halt_forever();
}
