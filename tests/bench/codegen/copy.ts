// memcpy/memset-heavy copying, like page and buffer management: 64 pages of 4 KiB; random
// sub-page copies with memcpy, page clears with memset, whole-page copies with a u64 word loop,
// and a final digest of every page.
import { report, rnd } from "./lib/out";

const PAGE: usize = 4096;
const PAGES: u32 = 64;

let mem!: InlineArray<u64, 32768>; // 64 pages

function page(n: u32): usize {
  return addr_of(mem) + usize(n & (PAGES - 1)) * PAGE;
}

function copy_page(dst: usize, src: usize): void {
  for (let i: usize = 0; i < PAGE; i += 8) store<u64>(dst + i, load<u64>(src + i));
}

function page_sum(p: usize): u64 {
  let h: u64 = 0;
  for (let i: usize = 0; i < PAGE; i += 8) h = (h ^ load<u64>(p + i)) * 0x100000001B3;
  return h;
}

export function main(): void {
  for (let i: u32 = 0; i < 32768; i++) mem[i] = u64(rnd()) << 32 | u64(rnd());
  let sum: u64 = 0;
  for (let n: u32 = 0; n < 40000; n++) {
    const r = rnd();
    const src = page(r);
    const dst = page(r >> 6);
    if (src == dst) continue;
    const op = (r >> 12) & 7;
    if (op == 0) {
      memset(dst, u8(r >> 16), PAGE);
    } else if (op == 1) {
      copy_page(dst, src);
    } else {
      const off = usize((r >> 15) & 4095);
      const len = usize(r >> 20) & 2047;
      const n = off + len > PAGE ? PAGE - off : len;
      memcpy(dst + off, src + off, n);
    }
    sum += load<u64>(dst, usize((r >> 3) & 511) * 8);
  }
  for (let p: u32 = 0; p < PAGES; p++) sum = sum * 31 + page_sum(page(p));
  report("copy", sum);
}
