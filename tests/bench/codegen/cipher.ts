// Hash and cipher rounds: SHA-256 compression over a 16 KiB buffer (32-bit rotates by constants,
// the message schedule's w[t - 15] indexing, Ch and Maj), a SipHash-style 64-bit mixing round
// (64-bit rotates) and an RC5-style round with data-dependent rotate counts. The kernel would use
// these for checksums, hashing keys and a random pool.
import { report, rnd } from "./lib/out";

let K!: InlineArray<u32, 64>;
let W!: InlineArray<u32, 64>;
let H!: InlineArray<u32, 8>;
let S!: InlineArray<u32, 32>;
let buf!: InlineArray<u32, 4096>;

function rotr(x: u32, n: u32): u32 {
  return (x >>> n) | (x << (32 - n));
}

function rotl64(x: u64, n: u64): u64 {
  return (x << n) | (x >> (64 - n));
}

function sha_block(p: usize): void {
  for (let t: i32 = 0; t < 16; t++) W[t] = load<u32>(p + usize(t) * 4);
  for (let t: i32 = 16; t < 64; t++) {
    const w15 = W[t - 15];
    const w2 = W[t - 2];
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    W[t] = W[t - 16] + s0 + W[t - 7] + s1;
  }
  let a = H[0];
  let b = H[1];
  let c = H[2];
  let d = H[3];
  let e = H[4];
  let f = H[5];
  let g = H[6];
  let h = H[7];
  for (let t: i32 = 0; t < 64; t++) {
    const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + s1 + ch + K[t] + W[t];
    const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = s0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  H[0] += a;
  H[1] += b;
  H[2] += c;
  H[3] += d;
  H[4] += e;
  H[5] += f;
  H[6] += g;
  H[7] += h;
}

function sha(passes: u32): u64 {
  for (let i: u32 = 0; i < 8; i++) H[i] = 0x6a09e667 + i * 0x9e3779b9;
  for (let k: u32 = 0; k < passes; k++) {
    for (let off: usize = 0; off < 4096; off += 16) sha_block(addr_of(buf) + off * 4);
  }
  return (u64(H[0]) << 32) ^ u64(H[3]) ^ (u64(H[5]) << 16) ^ u64(H[7]);
}

function sip(passes: u32): u64 {
  let v0: u64 = 0x736f6d6570736575;
  let v1: u64 = 0x646f72616e646f6d;
  let v2: u64 = 0x6c7967656e657261;
  let v3: u64 = 0x7465646279746573;
  for (let k: u32 = 0; k < passes; k++) {
    for (let i: u32 = 0; i < 4096; i += 2) {
      const m = u64(buf[i]) | (u64(buf[i + 1]) << 32);
      v3 ^= m;
      for (let r: u32 = 0; r < 2; r++) {
        v0 += v1;
        v1 = rotl64(v1, 13);
        v1 ^= v0;
        v0 = rotl64(v0, 32);
        v2 += v3;
        v3 = rotl64(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl64(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl64(v1, 17);
        v1 ^= v2;
        v2 = rotl64(v2, 32);
      }
      v0 ^= m;
    }
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

function rc5(rounds: u32): u64 {
  let x: u32 = 0x01234567;
  let y: u32 = 0x89abcdef;
  let h: u64 = 0;
  for (let i: u32 = 0; i < rounds; i++) {
    const j = (i & 15) * 2;
    x = rotr(x ^ y, 32 - (y & 31)) + S[j];
    y = rotr(y ^ x, 32 - (x & 31)) + S[j + 1];
    const v = rotr(buf[i & 4095], i & 31);
    h = h * 31 + u64(x ^ v);
  }
  return h ^ u64(y);
}

export function main(): void {
  for (let i: u32 = 0; i < 64; i++) K[i] = rnd();
  for (let i: u32 = 0; i < 32; i++) S[i] = rnd();
  for (let i: u32 = 0; i < 4096; i++) buf[i] = rnd();
  const a = sha(10);
  const b = sip(40);
  const c = rc5(400000);
  report("cipher", a ^ (b * 3) ^ (c * 7));
}
