// Bitmap page-frame allocator: 32768 frames, one bit each in u64 words, next-fit from a hint word
// that free() moves back. Churn: random frees and allocations around a 20000-frame working set.
import { report, rnd } from "./lib/out";

const FRAMES: u32 = 32768;
const WORDS: u32 = FRAMES / 64;
const NONE: u32 = 0xFFFFFFFF;
const HELD_MAX: u32 = 24000;

let bitmap!: InlineArray<u64, 512>;
let held!: InlineArray<u32, 24000>;
let hint: u32 = 0;

function frame_alloc(): u32 {
  for (let n: u32 = 0; n < WORDS; n++) {
    let w = hint + n;
    if (w >= WORDS) w -= WORDS;
    const word = bitmap[w];
    if (word != 0xFFFFFFFFFFFFFFFF) {
      let b: u32 = 0;
      while (((word >> u64(b)) & 1) != 0) b++;
      bitmap[w] = word | (u64(1) << u64(b));
      hint = w;
      return w * 64 + b;
    }
  }
  return NONE;
}

function frame_free(pfn: u32): void {
  const w = pfn >> 6;
  bitmap[w] = bitmap[w] & ~(u64(1) << u64(pfn & 63));
  if (w < hint) hint = w;
}

export function main(): void {
  let count: u32 = 0;
  let sum: u64 = 0;
  while (count < 20000) {
    held[count] = frame_alloc();
    count++;
  }
  for (let i: u32 = 0; i < 400000; i++) {
    const r = rnd();
    if ((r & 1) != 0 && count > 0) {
      const k = (r >> 1) % count;
      frame_free(held[k]);
      count--;
      held[k] = held[count];
    } else if (count < HELD_MAX) {
      const pfn = frame_alloc();
      if (pfn == NONE) break;
      held[count] = pfn;
      count++;
      sum = sum * 33 + u64(pfn);
    }
  }
  report("pfa", sum + u64(count));
}
