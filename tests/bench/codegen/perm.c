/* Permutations with i32 indices: Fisher-Yates shuffles of an index table, applying a permutation
 * (gather), inverting it (scatter), walking its cycles, reversing a range from both ends, and a
 * three-point stencil with constant offsets (a[i - 1], a[i + 1]). */
#include "lib/bench.h"

#define N 8192

static i32 perm[N];
static i32 inv[N];
static u32 src[N];
static u32 dst[N];

static void shuffle(i32 n) {
  for (i32 i = 0; i < n; i++) perm[i] = i;
  for (i32 i = n - 1; i > 0; i--) {
    i32 j = (i32)(rnd() % (u32)(i + 1));
    i32 t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
}

static void gather(i32 n) {
  for (i32 i = 0; i < n; i++) dst[i] = src[perm[i]];
}

static void invert(i32 n) {
  for (i32 i = 0; i < n; i++) inv[perm[i]] = i;
}

static u64 cycles(i32 n) {
  u64 h = 0;
  for (i32 i = 0; i < n; i++) {
    if (inv[i] < 0) continue;
    i32 len = 0;
    i32 j = i;
    while (inv[j] >= 0) {
      inv[j] = -1;
      j = perm[j];
      len++;
    }
    h = h * 1000003 + (u64)len;
  }
  return h;
}

static void reverse(i32 lo, i32 hi) {
  char *base = (char *)dst;
  i32 k = lo + hi;
  for (i32 i = lo; i < (lo + hi + 1) / 2; i++) {
    u32 *p = (u32 *)(base + (u64)(i64)i * 4);
    u32 *q = (u32 *)(base + (u64)(i64)(k - i) * 4);
    u32 t = *p;
    *p = *q;
    *q = t;
  }
}

static void stencil(i32 n) {
  for (i32 i = 1; i < n - 1; i++) src[i] = dst[i - 1] + (dst[i] << 1) + dst[i + 1];
}

static u64 digest(i32 n) {
  u64 h = 0;
  for (i32 i = 0; i < n; i++) h = (h ^ (u64)src[i]) * 0x100000001b3ull;
  return h;
}

void bench_main(void) {
  for (i32 i = 0; i < N; i++) src[i] = rnd();
  u64 h = 0;
  for (i32 round = 0; round < 40; round++) {
    shuffle(N);
    gather(N);
    invert(N);
    reverse(round, N - 1 - round);
    stencil(N);
    h = h * 31 + digest(N) + cycles(N);
  }
  report("perm", h);
}
