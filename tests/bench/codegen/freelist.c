/* First-fit free-list allocator over a 1 MiB arena: blocks carry a 16-byte header (size, next);
 * the free list is kept sorted by address, splits on allocation and coalesces both ways on free.
 * Churn: 256 slots, each step frees a slot's block or allocates 1..1024 bytes into it. */
#include "lib/bench.h"

struct Block {
  size_t size; /* whole block, header included */
  struct Block *next; /* next free block (by address); unused while allocated */
};

#define HDR 16
#define ARENA 1048576
#define SLOTS 256u

static u64 arena[131072];
static uintptr_t slots[256];
static struct Block *free_list;

static void init(void) {
  struct Block *b = (struct Block *)arena;
  b->size = ARENA;
  b->next = 0;
  free_list = b;
}

static uintptr_t alloc(size_t n) {
  size_t size = (n + HDR + 15) & ~(size_t)15;
  struct Block *prev = 0;
  struct Block *cur = free_list;
  while (cur != 0) {
    if (cur->size >= size) {
      struct Block *rest = cur->next;
      if (cur->size - size >= 32) {
        struct Block *split = (struct Block *)((uintptr_t)cur + size);
        split->size = cur->size - size;
        split->next = cur->next;
        cur->size = size;
        rest = split;
      }
      if (prev == 0) free_list = rest;
      else prev->next = rest;
      return (uintptr_t)cur + HDR;
    }
    prev = cur;
    cur = cur->next;
  }
  return 0;
}

static void free_block(uintptr_t p) {
  struct Block *b = (struct Block *)(p - HDR);
  uintptr_t addr = (uintptr_t)b;
  struct Block *prev = 0;
  struct Block *cur = free_list;
  while (cur != 0 && (uintptr_t)cur < addr) {
    prev = cur;
    cur = cur->next;
  }
  b->next = cur;
  if (cur != 0 && addr + b->size == (uintptr_t)cur) {
    b->size += cur->size;
    b->next = cur->next;
  }
  if (prev == 0) {
    free_list = b;
  } else if ((uintptr_t)prev + prev->size == addr) {
    prev->size += b->size;
    prev->next = b->next;
  } else {
    prev->next = b;
  }
}

void bench_main(void) {
  init();
  uintptr_t base = (uintptr_t)arena;
  u64 sum = 0;
  for (u32 i = 0; i < 200000; i++) {
    u32 r = rnd();
    u32 s = r % SLOTS;
    if (slots[s] != 0) {
      free_block(slots[s]);
      slots[s] = 0;
    } else {
      uintptr_t p = alloc((size_t)((r >> 8) & 1023) + 1);
      slots[s] = p;
      if (p != 0) sum = sum * 31 + (u64)(p - base);
    }
  }
  u64 blocks = 0;
  for (struct Block *b = free_list; b != 0; b = b->next) blocks = blocks * 7 + b->size;
  report("freelist", sum ^ blocks);
}
