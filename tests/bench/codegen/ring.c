/* Ring-buffer message queue: 64 slots of a 48-byte message struct, free-running head/tail
 * counters. Each round a producer posts a burst of messages (if there is room) and a consumer
 * takes a burst and folds each message into a running digest. */
#include "lib/bench.h"

struct Msg {
  u32 kind;
  u32 len;
  u64 sender;
  u64 data[4];
};

#define SLOTS 64u

static u64 ring[384]; /* 64 * sizeof(struct Msg) bytes */
static u32 head; /* next to receive */
static u32 tail; /* next to send */
static u32 dropped;

static struct Msg *slot(u32 n) {
  return (struct Msg *)((uintptr_t)ring + (uintptr_t)(n & (SLOTS - 1)) * sizeof(struct Msg));
}

static int send(u32 kind, u64 sender, u64 word) {
  if (tail - head == SLOTS) return 0;
  struct Msg *m = slot(tail);
  m->kind = kind;
  m->len = kind & 3;
  m->sender = sender;
  for (u32 i = 0; i < 4; i++) m->data[i] = word + i;
  tail++;
  return 1;
}

static u64 receive(void) {
  struct Msg *m = slot(head);
  u64 h = ((u64)m->kind * 0x100000001B3ull) ^ m->sender;
  for (u32 i = 0; i <= m->len; i++) h = (h ^ m->data[i]) * 0x100000001B3ull;
  head++;
  return h;
}

void bench_main(void) {
  u64 digest = 0xCBF29CE484222325ull;
  for (u32 round = 0; round < 150000; round++) {
    u32 r = rnd();
    u32 sends = r & 7;
    for (u32 i = 0; i < sends; i++) {
      if (!send(r >> 8, round, (u64)r * (i + 1))) dropped++;
    }
    u32 recvs = (r >> 3) & 7;
    for (u32 i = 0; i < recvs && head != tail; i++) digest = digest * 31 + receive();
  }
  report("ring", digest + dropped);
}
