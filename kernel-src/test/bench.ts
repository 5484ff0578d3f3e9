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
import { thread_create, thread_yield, thread_sleep_ns } from "../sched/scheduler";
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
function echo_server(arg: u64): void {
  let req = new IpcMessage();
  let resp = new IpcMessage();
  while (true) {
    req.buffer = 0;
    req.buffer_size = 0;
    let r = ipc_reply_wait(echo_port, req, resp);
    if (r == E_DESTROYED || r == E_BADPORT) break;
    if (r != E_OK) continue;
    store<u64>(inline_addr(resp), load<u64>(inline_addr(req)));
  }
  destroy(req);
  destroy(resp);
}

function bench_ipc(): bool {
  let req = new IpcMessage();
  let resp = new IpcMessage();
  let ok = true;
  for (let b: i32 = 0; b < BATCHES; b++) {
    let empty = empty_loop();
    let t0 = rdtsc();
    for (let i: u64 = 0; i < N; i++) {
      if (ipc_call(echo_port, req, resp) != E_OK) ok = false;
    }
    sample(b, rdtsc() - t0, empty);
  }
  report("ipc_call_reply_kernel", median(), N);
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

export function bench_main(arg: u64): void {
  kprint(`bench start (instructions per operation, median of ${BATCHES} batches of ${N})\n`);
  bench_yield();
  echo_port = ipc_create_port(0);
  thread_create(echo_server, 0, PRIORITY_NORMAL, "bench_echo");
  let ok = bench_ipc();
  bench_heap();
  bench_spinlock();
  bench_sleep();
  ok = bench_mixed() && ok;
  ok = bench_map() && ok;
  ok = bench_user() && ok;
  ipc_destroy_port(echo_port);
  kprint(`bench done ${ok ? "ok" : "failed"}\n`);
  exit_device().exit(ok ? EXIT_PASS : EXIT_FAIL);
  halt_forever();
}
