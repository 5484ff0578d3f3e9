/* Bitmap page-frame allocator: 32768 frames, one bit each in u64 words, next-fit from a hint word
 * that free() moves back. Churn: random frees and allocations around a 20000-frame working set. */
#include "lib/bench.h"

#define FRAMES 32768u
#define WORDS (FRAMES / 64)
#define NONE 0xFFFFFFFFu
#define HELD_MAX 24000u

static u64 bitmap[512];
static u32 held[24000];
static u32 hint;

static u32 frame_alloc(void) {
  for (u32 n = 0; n < WORDS; n++) {
    u32 w = hint + n;
    if (w >= WORDS) w -= WORDS;
    u64 word = bitmap[w];
    if (word != 0xFFFFFFFFFFFFFFFFull) {
      u32 b = 0;
      while (((word >> b) & 1) != 0) b++;
      bitmap[w] = word | ((u64)1 << b);
      hint = w;
      return w * 64 + b;
    }
  }
  return NONE;
}

static void frame_free(u32 pfn) {
  u32 w = pfn >> 6;
  bitmap[w] = bitmap[w] & ~((u64)1 << (pfn & 63));
  if (w < hint) hint = w;
}

void bench_main(void) {
  u32 count = 0;
  u64 sum = 0;
  while (count < 20000) {
    held[count] = frame_alloc();
    count++;
  }
  for (u32 i = 0; i < 400000; i++) {
    u32 r = rnd();
    if ((r & 1) != 0 && count > 0) {
      u32 k = (r >> 1) % count;
      frame_free(held[k]);
      count--;
      held[k] = held[count];
    } else if (count < HELD_MAX) {
      u32 pfn = frame_alloc();
      if (pfn == NONE) break;
      held[count] = pfn;
      count++;
      sum = sum * 33 + pfn;
    }
  }
  report("pfa", sum + count);
}
