/* CRC-32 (IEEE, reflected), table-driven, over a 64 KiB buffer: 64 passes, each seeded differently. */
#include "lib/bench.h"

#define SIZE 65536
static u32 table[256];
static u8 buf[SIZE];

static void make_table(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static u32 crc32(const u8 *p, size_t n, u32 seed) {
  u32 crc = ~seed;
  for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void bench_main(void) {
  make_table();
  for (size_t i = 0; i < SIZE; i++) buf[i] = (u8)rnd();
  u64 sum = 0;
  for (u32 pass = 0; pass < 64; pass++) sum = sum * 31 + crc32(buf, SIZE, pass);
  report("crc32", sum);
}
