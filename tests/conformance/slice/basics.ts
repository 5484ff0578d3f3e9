// Slice<T>: address + length, indexed with a bounds check against its length, iterated with
// for...of, passed to functions (the callee gets its own copy of the descriptor).
import { print } from "../lib/print";

let bytes!: InlineArray<u8, 8>;
let words!: InlineArray<u32, 4>;

function sum(s: Slice<u8>): u32 {
  let t: u32 = 0;
  for (const b of s) t += b;
  return t;
}

function fill(s: Slice<u32>, v: u32): void {
  for (let i: usize = 0; i < s.length; i++) s[i] = v + u32(i);
}

function tail(s: Slice<u8>, from: usize): u32 {
  s = slice<u8>(s.ptr + from, s.length - from); // rebinds the callee's copy only
  return sum(s);
}

export function main(): void {
  for (let i = 0; i < 8; i++) bytes[i] = u8(i * 3);
  const all = as_slice(bytes);
  const mid = slice<u8>(addr_of(bytes) + 2, 4);
  print(`${all.length} ${sum(all)} ${mid.length} ${sum(mid)} ${mid[0]} ${mid[3]}`);
  print(`${tail(all, 5)} ${all.length}`);
  const w = as_slice(words);
  fill(w, 100);
  print(`${words[0]} ${words[3]} ${w[2]}`);
  let cur = mid;
  cur = all;
  print(`${cur.length} ${mid.length} ${u32(cur.ptr == addr_of(bytes))}`);
}

/* expect:
8 84 4 42 6 15
54 8
100 103 102
8 4 1
*/
