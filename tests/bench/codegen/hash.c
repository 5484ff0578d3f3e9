/* Open-addressing hash table (u32 key -> u32 value), 32768 slots, linear probing, multiplicative
 * hashing, deletion by backward shift (no tombstones). A random mix of inserts, lookups and
 * deletes over 12000 keys. */
#include "lib/bench.h"

#define BITS 15u
#define MASK ((1u << BITS) - 1)

static u32 keys[32768]; /* 0 = empty */
static u32 vals[32768];
static u32 live;

static u32 home(u32 key) {
  return (key * 0x9E3779B1u) >> (32 - BITS);
}

static u32 find(u32 key) {
  u32 i = home(key);
  while (keys[i] != 0 && keys[i] != key) i = (i + 1) & MASK;
  return i;
}

static void insert(u32 key, u32 val) {
  u32 i = find(key);
  if (keys[i] == 0) {
    keys[i] = key;
    live++;
  }
  vals[i] = val;
}

static u32 lookup(u32 key) {
  u32 i = find(key);
  return keys[i] == 0 ? 0 : vals[i];
}

static void remove_key(u32 key) {
  u32 i = find(key);
  if (keys[i] == 0) return;
  live--;
  u32 j = i;
  for (;;) {
    j = (j + 1) & MASK;
    u32 k = keys[j];
    if (k == 0) break;
    u32 h = home(k);
    /* move keys[j] back into the hole at i unless its home lies cyclically in (i, j] */
    int stays = i <= j ? i < h && h <= j : i < h || h <= j;
    if (!stays) {
      keys[i] = k;
      vals[i] = vals[j];
      i = j;
    }
  }
  keys[i] = 0;
}

void bench_main(void) {
  u64 sum = 0;
  for (u32 n = 0; n < 1000000; n++) {
    u32 r = rnd();
    u32 key = (r >> 4) % 12000 + 1;
    u32 op = r & 15;
    if (op < 6) insert(key, r);
    else if (op < 13) sum = sum * 31 + lookup(key);
    else remove_key(key);
  }
  report("hash", sum + live);
}
