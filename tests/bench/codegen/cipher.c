/* Hash and cipher rounds: SHA-256 compression over a 16 KiB buffer (32-bit rotates by constants,
 * the message schedule's w[t - 15] indexing, Ch and Maj), a SipHash-style 64-bit mixing round
 * (64-bit rotates) and an RC5-style round with data-dependent rotate counts. */
#include "lib/bench.h"

static u32 K[64];
static u32 W[64];
static u32 H[8];
static u32 S[32];
static u32 buf[4096];

static u32 rotr(u32 x, u32 n) { return (x >> (n & 31)) | (x << ((32 - n) & 31)); }
static u64 rotl64(u64 x, u64 n) { return (x << (n & 63)) | (x >> ((64 - n) & 63)); }

static void sha_block(const u32 *p) {
  for (i32 t = 0; t < 16; t++) W[t] = p[t];
  for (i32 t = 16; t < 64; t++) {
    u32 w15 = W[t - 15];
    u32 w2 = W[t - 2];
    u32 s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
    u32 s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
    W[t] = W[t - 16] + s0 + W[t - 7] + s1;
  }
  u32 a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
  for (i32 t = 0; t < 64; t++) {
    u32 s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    u32 ch = (e & f) ^ (~e & g);
    u32 t1 = h + s1 + ch + K[t] + W[t];
    u32 s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    u32 maj = (a & b) ^ (a & c) ^ (b & c);
    u32 t2 = s0 + maj;
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
}

static u64 sha(u32 passes) {
  for (u32 i = 0; i < 8; i++) H[i] = 0x6a09e667u + i * 0x9e3779b9u;
  for (u32 k = 0; k < passes; k++)
    for (u64 off = 0; off < 4096; off += 16) sha_block(buf + off);
  return ((u64)H[0] << 32) ^ (u64)H[3] ^ ((u64)H[5] << 16) ^ (u64)H[7];
}

static u64 sip(u32 passes) {
  u64 v0 = 0x736f6d6570736575ull, v1 = 0x646f72616e646f6dull, v2 = 0x6c7967656e657261ull, v3 = 0x7465646279746573ull;
  for (u32 k = 0; k < passes; k++) {
    for (u32 i = 0; i < 4096; i += 2) {
      u64 m = (u64)buf[i] | ((u64)buf[i + 1] << 32);
      v3 ^= m;
      for (u32 r = 0; r < 2; r++) {
        v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);
        v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;
        v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;
        v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);
      }
      v0 ^= m;
    }
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

static u64 rc5(u32 rounds) {
  u32 x = 0x01234567, y = 0x89abcdef;
  u64 h = 0;
  for (u32 i = 0; i < rounds; i++) {
    u32 j = (i & 15) * 2;
    x = rotr(x ^ y, 32 - (y & 31)) + S[j];
    y = rotr(y ^ x, 32 - (x & 31)) + S[j + 1];
    u32 v = rotr(buf[i & 4095], i & 31);
    h = h * 31 + (u64)(x ^ v);
  }
  return h ^ (u64)y;
}

void bench_main(void) {
  for (u32 i = 0; i < 64; i++) K[i] = rnd();
  for (u32 i = 0; i < 32; i++) S[i] = rnd();
  for (u32 i = 0; i < 4096; i++) buf[i] = rnd();
  u64 a = sha(10);
  u64 b = sip(40);
  u64 c = rc5(400000);
  report("cipher", a ^ (b * 3) ^ (c * 7));
}
