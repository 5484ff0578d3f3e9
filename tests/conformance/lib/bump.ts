// A bump allocator for conformance programs that use `new` and `destroy`: __alloc hands out
// 16-byte-aligned blocks from a static arena and never reuses them; __free only counts.
// Under node `new` makes JS objects and never calls these.

let arena!: InlineArray<u8, 65552>; // 64 KiB plus room to align the start to 16
let used: usize = 0;
let frees: u32 = 0;

export function __alloc(size: usize): usize {
  const p = ((addr_of(arena) + 15) & ~15) + used;
  used += (size + 15) & ~15;
  return p;
}

export function __free(addr: usize): void {
  frees++;
}

export function bump_used(): usize {
  return used;
}

export function bump_frees(): u32 {
  return frees;
}
