/* memcpy/memset-heavy copying, like page and buffer management: 64 pages of 4 KiB; random
 * sub-page copies with memcpy, page clears with memset, whole-page copies with a u64 word loop,
 * and a final digest of every page. */
#include "lib/bench.h"

#define PAGE 4096
#define PAGES 64u

static u64 mem[32768]; /* 64 pages */

static uintptr_t page(u32 n) {
  return (uintptr_t)mem + (uintptr_t)(n & (PAGES - 1)) * PAGE;
}

static void copy_page(uintptr_t dst, uintptr_t src) {
  for (size_t i = 0; i < PAGE; i += 8) *(u64 *)(dst + i) = *(u64 *)(src + i);
}

static u64 page_sum(uintptr_t p) {
  u64 h = 0;
  for (size_t i = 0; i < PAGE; i += 8) h = (h ^ *(u64 *)(p + i)) * 0x100000001B3ull;
  return h;
}

void bench_main(void) {
  for (u32 i = 0; i < 32768; i++) {
    u64 hi = rnd();
    mem[i] = hi << 32 | rnd();
  }
  u64 sum = 0;
  for (u32 n = 0; n < 40000; n++) {
    u32 r = rnd();
    uintptr_t src = page(r);
    uintptr_t dst = page(r >> 6);
    if (src == dst) continue;
    u32 op = (r >> 12) & 7;
    if (op == 0) {
      memset((void *)dst, (u8)(r >> 16), PAGE);
    } else if (op == 1) {
      copy_page(dst, src);
    } else {
      size_t off = (r >> 15) & 4095;
      size_t len = (size_t)(r >> 20) & 2047;
      size_t m = off + len > PAGE ? PAGE - off : len;
      memcpy((void *)(dst + off), (void *)(src + off), m);
    }
    sum += *(u64 *)(dst + (size_t)((r >> 3) & 511) * 8);
  }
  for (u32 p = 0; p < PAGES; p++) sum = sum * 31 + page_sum(page(p));
  report("copy", sum);
}
