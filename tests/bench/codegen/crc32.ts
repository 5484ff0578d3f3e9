// CRC-32 (IEEE, reflected), table-driven, over a 64 KiB buffer: 64 passes, each seeded differently.
import { report, rnd } from "./lib/out";

const SIZE: usize = 65536;
let table!: InlineArray<u32, 256>;
let buf!: InlineArray<u8, 65536>;

function make_table(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c;
  }
}

function crc32(p: usize, n: usize, seed: u32): u32 {
  let crc = ~seed;
  for (let i: usize = 0; i < n; i++) crc = table[(crc ^ load<u8>(p + i)) & 0xFF] ^ (crc >>> 8);
  return ~crc;
}

export function main(): void {
  make_table();
  for (let i: usize = 0; i < SIZE; i++) buf[i] = u8(rnd());
  let sum: u64 = 0;
  for (let pass: u32 = 0; pass < 64; pass++) sum = sum * 31 + crc32(addr_of(buf), SIZE, pass);
  report("crc32", sum);
}
