// Permutations with i32 indices: Fisher-Yates shuffles of an index table, applying a permutation
// (gather), inverting it (scatter), walking its cycles, reversing a range from both ends, and a
// three-point stencil with constant offsets (a[i - 1], a[i + 1]). Kernel code of this shape:
// reordering a run queue, remapping page tables, permuting a table of descriptors.
import { report, rnd } from "./lib/out";

const N: i32 = 8192;

let perm!: InlineArray<i32, 8192>;
let inv!: InlineArray<i32, 8192>;
let src!: InlineArray<u32, 8192>;
let dst!: InlineArray<u32, 8192>;

function shuffle(n: i32): void {
  for (let i: i32 = 0; i < n; i++) perm[i] = i;
  for (let i: i32 = n - 1; i > 0; i--) {
    const j = i32(rnd() % u32(i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
}

function gather(n: i32): void {
  for (let i: i32 = 0; i < n; i++) dst[i] = src[perm[i]];
}

function invert(n: i32): void {
  for (let i: i32 = 0; i < n; i++) inv[perm[i]] = i;
}

function cycles(n: i32): u64 {
  // marks visited entries in inv with -1; returns a digest of the cycle lengths
  let h: u64 = 0;
  for (let i: i32 = 0; i < n; i++) {
    if (inv[i] < 0) continue;
    let len: i32 = 0;
    let j = i;
    while (inv[j] >= 0) {
      inv[j] = -1;
      j = perm[j];
      len++;
    }
    h = h * 1000003 + u64(len);
  }
  return h;
}

function reverse(lo: i32, hi: i32): void {
  const base = addr_of(dst);
  const k = lo + hi;
  for (let i: i32 = lo; i < (lo + hi + 1) / 2; i++) {
    const p = base + usize(i) * 4;
    const q = base + usize(k - i) * 4;
    const t = load<u32>(p);
    store<u32>(p, load<u32>(q));
    store<u32>(q, t);
  }
}

function stencil(n: i32): void {
  for (let i: i32 = 1; i < n - 1; i++) src[i] = dst[i - 1] + (dst[i] << 1) + dst[i + 1];
}

function digest(n: i32): u64 {
  let h: u64 = 0;
  for (let i: i32 = 0; i < n; i++) h = (h ^ u64(src[i])) * 0x100000001b3;
  return h;
}

export function main(): void {
  for (let i: i32 = 0; i < N; i++) src[i] = rnd();
  let h: u64 = 0;
  for (let round: i32 = 0; round < 40; round++) {
    shuffle(N);
    gather(N);
    invert(N);
    reverse(round, N - 1 - round);
    stencil(N);
    h = h * 31 + digest(N) + cycles(N);
  }
  report("perm", h);
}
