// Output for the benchmark programs: one line `name 0x<checksum>` on stdout, written with the
// Linux runtime's rt_write. lib/bench.h prints exactly the same line for the C twins.

declare function rt_write(addr: usize, len: usize): void;

let line!: InlineArray<u8, 64>;

/** Writes `name 0x%016x\n` (always 16 hex digits, so C's output is trivially the same). */
export function report(name: string, sum: u64): void {
  const n = usize(name.length);
  memcpy(addr_of(line), changetype<usize>(name), n);
  let p = addr_of(line) + n;
  store<u8>(p, 32);
  store<u8>(p, 48, 1);
  store<u8>(p, 120, 2);
  p += 3;
  for (let i: u32 = 0; i < 16; i++) {
    const d = u8((sum >> u64(60 - 4 * i)) & 15);
    store<u8>(p, d < 10 ? 48 + d : 87 + d, usize(i));
  }
  store<u8>(p, 10, 16);
  rt_write(addr_of(line), n + 20);
}

let rng: u32 = 2463534242;

/** xorshift32: the benchmarks' deterministic input (the same sequence as rnd() in bench.h). */
export function rnd(): u32 {
  let x = rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  rng = x;
  return x;
}
