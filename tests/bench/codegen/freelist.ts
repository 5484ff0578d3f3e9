// First-fit free-list allocator over a 1 MiB arena: blocks carry a 16-byte header (size, next);
// the free list is kept sorted by address, splits on allocation and coalesces both ways on free.
// Churn: 256 slots, each step frees a slot's block or allocates 1..1024 bytes into it.
import { report, rnd } from "./lib/out";

class Block {
  size: usize = 0; // whole block, header included
  next: Block | null = null; // next free block (by address); unused while allocated
}

const HDR: usize = 16;
const ARENA: usize = 1048576;
const SLOTS: u32 = 256;

let arena!: InlineArray<u64, 131072>;
let slots!: InlineArray<usize, 256>;
let free_list: Block | null = null;

function init(): void {
  const b = changetype<Block>(addr_of(arena));
  b.size = ARENA;
  b.next = null;
  free_list = b;
}

function alloc(n: usize): usize {
  const size = (n + HDR + 15) & ~15;
  let prev: Block | null = null;
  let cur = free_list;
  while (cur != null) {
    if (cur.size >= size) {
      let rest = cur.next;
      if (cur.size - size >= 32) {
        const split = changetype<Block>(changetype<usize>(cur) + size);
        split.size = cur.size - size;
        split.next = cur.next;
        cur.size = size;
        rest = split;
      }
      if (prev == null) free_list = rest;
      else prev.next = rest;
      return changetype<usize>(cur) + HDR;
    }
    prev = cur;
    cur = cur.next;
  }
  return 0;
}

function free(p: usize): void {
  const b = changetype<Block>(p - HDR);
  const addr = changetype<usize>(b);
  let prev: Block | null = null;
  let cur = free_list;
  while (cur != null && changetype<usize>(cur) < addr) {
    prev = cur;
    cur = cur.next;
  }
  b.next = cur;
  if (cur != null && addr + b.size == changetype<usize>(cur)) {
    b.size += cur.size;
    b.next = cur.next;
  }
  if (prev == null) {
    free_list = b;
  } else if (changetype<usize>(prev) + prev.size == addr) {
    prev.size += b.size;
    prev.next = b.next;
  } else {
    prev.next = b;
  }
}

export function main(): void {
  init();
  const base = addr_of(arena);
  let sum: u64 = 0;
  for (let i: u32 = 0; i < 200000; i++) {
    const r = rnd();
    const s = r % SLOTS;
    if (slots[s] != 0) {
      free(slots[s]);
      slots[s] = 0;
    } else {
      const p = alloc(usize((r >> 8) & 1023) + 1);
      slots[s] = p;
      if (p != 0) sum = sum * 31 + u64(p - base);
    }
  }
  let blocks: u64 = 0;
  for (let b = free_list; b != null; b = b.next) blocks = blocks * 7 + u64(b.size);
  report("freelist", sum ^ blocks);
}
