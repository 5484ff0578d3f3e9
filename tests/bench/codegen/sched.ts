// Priority-bitmap scheduler: 32 priority levels, a u32 bitmap of non-empty levels, intrusive FIFO
// run queues (next[] links). Each step picks the highest ready level (find-last-set by binary
// search), dequeues its first thread, "runs" it and requeues it at a pseudo-random priority.
import { report, rnd } from "./lib/out";

const THREADS: u32 = 256;
const LEVELS: u32 = 32;
const NONE: u16 = 0xFFFF;

let head!: InlineArray<u16, 32>;
let tail!: InlineArray<u16, 32>;
let next!: InlineArray<u16, 256>;
let runtime!: InlineArray<u32, 256>;
let ready: u32 = 0;

function fls(x: u32): u32 {
  let n: u32 = 0;
  if (x >= 0x10000) { n += 16; x >>= 16; }
  if (x >= 0x100) { n += 8; x >>= 8; }
  if (x >= 0x10) { n += 4; x >>= 4; }
  if (x >= 4) { n += 2; x >>= 2; }
  if (x >= 2) n += 1;
  return n;
}

function enqueue(tid: u16, prio: u32): void {
  next[tid] = NONE;
  if (head[prio] == NONE) {
    head[prio] = tid;
    ready |= u32(1) << prio;
  } else {
    next[tail[prio]] = tid;
  }
  tail[prio] = tid;
}

function dequeue(prio: u32): u16 {
  const tid = head[prio];
  head[prio] = next[tid];
  if (head[prio] == NONE) ready &= ~(u32(1) << prio);
  return tid;
}

export function main(): void {
  for (let p: u32 = 0; p < LEVELS; p++) head[p] = NONE;
  for (let t: u32 = 0; t < THREADS; t++) enqueue(u16(t), t % LEVELS);
  let sum: u64 = 0;
  for (let i: u32 = 0; i < 1000000; i++) {
    const prio = fls(ready);
    const tid = dequeue(prio);
    runtime[tid] += prio + 1;
    sum += u64(tid) * u64(prio);
    const r = rnd();
    // mostly drop in priority (a thread that used its slice), sometimes boost (woken by I/O)
    const np = (r & 7) == 0 ? (r >> 3) & 31 : (prio * 3) >> 2;
    enqueue(tid, np);
  }
  let acc: u64 = sum;
  for (let t: u32 = 0; t < THREADS; t++) acc = acc * 31 + u64(runtime[t]);
  report("sched", acc);
}
