/* Priority-bitmap scheduler: 32 priority levels, a u32 bitmap of non-empty levels, intrusive FIFO
 * run queues (next[] links). Each step picks the highest ready level (find-last-set by binary
 * search), dequeues its first thread, "runs" it and requeues it at a pseudo-random priority. */
#include "lib/bench.h"

#define THREADS 256u
#define LEVELS 32u
#define NONE 0xFFFF

static u16 head[32];
static u16 tail[32];
static u16 next[256];
static u32 runtime[256];
static u32 ready;

static u32 fls(u32 x) {
  u32 n = 0;
  if (x >= 0x10000) { n += 16; x >>= 16; }
  if (x >= 0x100) { n += 8; x >>= 8; }
  if (x >= 0x10) { n += 4; x >>= 4; }
  if (x >= 4) { n += 2; x >>= 2; }
  if (x >= 2) n += 1;
  return n;
}

static void enqueue(u16 tid, u32 prio) {
  next[tid] = NONE;
  if (head[prio] == NONE) {
    head[prio] = tid;
    ready |= (u32)1 << prio;
  } else {
    next[tail[prio]] = tid;
  }
  tail[prio] = tid;
}

static u16 dequeue(u32 prio) {
  u16 tid = head[prio];
  head[prio] = next[tid];
  if (head[prio] == NONE) ready &= ~((u32)1 << prio);
  return tid;
}

void bench_main(void) {
  for (u32 p = 0; p < LEVELS; p++) head[p] = NONE;
  for (u32 t = 0; t < THREADS; t++) enqueue((u16)t, t % LEVELS);
  u64 sum = 0;
  for (u32 i = 0; i < 1000000; i++) {
    u32 prio = fls(ready);
    u16 tid = dequeue(prio);
    runtime[tid] += prio + 1;
    sum += (u64)tid * (u64)prio;
    u32 r = rnd();
    /* mostly drop in priority (a thread that used its slice), sometimes boost (woken by I/O) */
    u32 np = (r & 7) == 0 ? (r >> 3) & 31 : (prio * 3) >> 2;
    enqueue(tid, np);
  }
  u64 acc = sum;
  for (u32 t = 0; t < THREADS; t++) acc = acc * 31 + runtime[t];
  report("sched", acc);
}
