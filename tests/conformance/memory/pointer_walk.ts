// Pointer arithmetic on usize: walking an array of records with a stride, and a linked list
// threaded through raw memory with load/store of addresses.
import { print } from "../lib/print";

let pool!: InlineArray<u32, 64>;

export function main(): void {
  const base = addr_of(pool);
  const STRIDE: usize = 12; // {u32 key, u32 value, u32 next-index}
  for (let i: usize = 0; i < 5; i++) {
    store<u32>(base + i * STRIDE, u32(i) * 10);
    store<u32>(base + i * STRIDE, u32(i * i), 4);
    store<u32>(base + i * STRIDE, u32((i + 2) % 5), 8);
  }
  let idx: u32 = 0;
  let out: u32 = 0;
  for (let n = 0; n < 5; n++) {
    const rec = base + usize(idx) * STRIDE;
    out = out * 100 + load<u32>(rec, 4);
    idx = load<u32>(rec, 8);
  }
  print(`${out}`);
}

/* expect:
4160109
*/
