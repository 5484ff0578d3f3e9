// Atomics (single-threaded here): fetch_add returns the old value, xchg swaps, cmpxchg stores
// only when the old value equals the expected one and returns the old value either way.
import { print } from "../lib/print";

let cells!: InlineArray<u32, 4>;

export function main(): void {
  const p = addr_of(cells);
  atomic_store<u32>(p, 10);
  const old = atomic_fetch_add<u32>(p, 5);
  print(`${old} ${atomic_load<u32>(p)}`);
  const was = atomic_xchg<u32>(p, 99);
  print(`${was} ${cells[0]}`);
  const r1 = atomic_cmpxchg<u32>(p, 98, 1);
  const r2 = atomic_cmpxchg<u32>(p, 99, 2);
  print(`${r1} ${r2} ${cells[0]}`);
  atomic_store<u32>(p + 4, 0xFFFFFFFF);
  const w = atomic_fetch_add<u32>(p + 4, 2);
  print(`${w} ${cells[1]}`);
  atomic_store<u8>(p + 8, 250);
  const b = atomic_fetch_add<u8>(p + 8, 10);
  print(`${b} ${cells[2]}`);
}

/* expect:
10 15
15 99
99 99 2
4294967295 1
250 4
*/
