// Open-addressing hash table (u32 key -> u32 value), 32768 slots, linear probing, multiplicative
// hashing, deletion by backward shift (no tombstones). A random mix of inserts, lookups and
// deletes over 12000 keys.
import { report, rnd } from "./lib/out";

const BITS: u32 = 15;
const MASK: u32 = (u32(1) << BITS) - 1;

let keys!: InlineArray<u32, 32768>; // 0 = empty
let vals!: InlineArray<u32, 32768>;
let live: u32 = 0;

function home(key: u32): u32 {
  return (key * 0x9E3779B1) >> (32 - BITS);
}

function find(key: u32): u32 {
  let i = home(key);
  while (keys[i] != 0 && keys[i] != key) i = (i + 1) & MASK;
  return i;
}

function insert(key: u32, val: u32): void {
  const i = find(key);
  if (keys[i] == 0) {
    keys[i] = key;
    live++;
  }
  vals[i] = val;
}

function lookup(key: u32): u32 {
  const i = find(key);
  return keys[i] == 0 ? 0 : vals[i];
}

function remove(key: u32): void {
  let i = find(key);
  if (keys[i] == 0) return;
  live--;
  let j = i;
  for (;;) {
    j = (j + 1) & MASK;
    const k = keys[j];
    if (k == 0) break;
    const h = home(k);
    // move keys[j] back into the hole at i unless its home lies cyclically in (i, j]
    const stays = i <= j ? i < h && h <= j : i < h || h <= j;
    if (!stays) {
      keys[i] = k;
      vals[i] = vals[j];
      i = j;
    }
  }
  keys[i] = 0;
}

export function main(): void {
  let sum: u64 = 0;
  for (let n: u32 = 0; n < 1000000; n++) {
    const r = rnd();
    const key = (r >> 4) % 12000 + 1;
    const op = r & 15;
    if (op < 6) insert(key, r);
    else if (op < 13) sum = sum * 31 + u64(lookup(key));
    else remove(key);
  }
  report("hash", sum + u64(live));
}
