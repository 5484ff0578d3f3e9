/* Sorting u32 arrays: heap sort of 32768 random values, then insertion sort of 3000 (the way a
 * kernel sorts a memory map or a small table). */
#include "lib/bench.h"

static u32 a[32768];

static void sift_down(u32 start, u32 end) {
  u32 root = start;
  for (;;) {
    u32 child = root * 2 + 1;
    if (child >= end) return;
    if (child + 1 < end && a[child] < a[child + 1]) child++;
    if (a[root] >= a[child]) return;
    u32 t = a[root];
    a[root] = a[child];
    a[child] = t;
    root = child;
  }
}

static void heap_sort(u32 n) {
  for (u32 i = n / 2; i > 0; i--) sift_down(i - 1, n);
  for (u32 end = n - 1; end > 0; end--) {
    u32 t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(0, end);
  }
}

static void insertion_sort(u32 n) {
  for (u32 i = 1; i < n; i++) {
    u32 v = a[i];
    u32 j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = v;
  }
}

static u64 digest(u32 n) {
  u64 h = 0;
  for (u32 i = 0; i < n; i++) h = h * 1000003 + (u64)a[i] * (u64)(i + 1);
  return h;
}

void bench_main(void) {
  for (u32 i = 0; i < 32768; i++) a[i] = rnd();
  heap_sort(32768);
  u64 h1 = digest(32768);
  for (u32 i = 0; i < 3000; i++) a[i] = rnd();
  insertion_sort(3000);
  report("sort", h1 ^ digest(3000));
}
