// Sorting u32 arrays: heap sort of 32768 random values, then insertion sort of 3000 (the way a
// kernel sorts a memory map or a small table).
import { report, rnd } from "./lib/out";

let a!: InlineArray<u32, 32768>;

function sift_down(start: u32, end: u32): void {
  let root = start;
  for (;;) {
    let child = root * 2 + 1;
    if (child >= end) return;
    if (child + 1 < end && a[child] < a[child + 1]) child++;
    if (a[root] >= a[child]) return;
    const t = a[root];
    a[root] = a[child];
    a[child] = t;
    root = child;
  }
}

function heap_sort(n: u32): void {
  for (let i = n / 2; i > 0; i--) sift_down(i - 1, n);
  for (let end = n - 1; end > 0; end--) {
    const t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(0, end);
  }
}

function insertion_sort(n: u32): void {
  for (let i: u32 = 1; i < n; i++) {
    const v = a[i];
    let j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = v;
  }
}

function digest(n: u32): u64 {
  let h: u64 = 0;
  for (let i: u32 = 0; i < n; i++) h = h * 1000003 + u64(a[i]) * u64(i + 1);
  return h;
}

export function main(): void {
  for (let i: u32 = 0; i < 32768; i++) a[i] = rnd();
  heap_sort(32768);
  const h1 = digest(32768);
  for (let i: u32 = 0; i < 3000; i++) a[i] = rnd();
  insertion_sort(3000);
  report("sort", h1 ^ digest(3000));
}
