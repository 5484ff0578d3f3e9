// More live values than registers: the allocator must spill and reload correctly.
import { print } from "../lib/print";

function mix(seed: u32): u32 {
  let a = seed + 1;
  let b = a * 3;
  let c = b ^ 0x55;
  let d = c + a;
  let e = d >>> 1;
  let f = e + b;
  let g = f ^ c;
  let h = g + d;
  let i = h >>> 2;
  let j = i + e;
  let k = j ^ f;
  let l = k + g;
  let m = l + h + a;
  let n = m ^ i;
  let o = n + j + b;
  let p = o ^ k ^ c;
  for (let t = 0; t < 3; t++) {
    a = a + p;
    b = b ^ o;
    c = c + n;
    d = d ^ m;
  }
  return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p;
}

export function main(): void {
  print(`${mix(0)} ${mix(1)} ${mix(12345)}`);
}

/* expect:
6326 6756 2740068
*/
