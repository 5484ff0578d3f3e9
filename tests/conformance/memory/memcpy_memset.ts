// memset fills, memcpy copies, memcmp compares (sign of the first differing byte, unsigned).
import { print } from "../lib/print";

let a!: InlineArray<u8, 32>;
let b!: InlineArray<u8, 32>;

function sign(x: i32): i32 {
  return x < 0 ? -1 : x > 0 ? 1 : 0;
}

export function main(): void {
  const pa = addr_of(a);
  const pb = addr_of(b);
  memset(pa, 0x5A, 32);
  memset(pa + 4, 0, 4);
  print(`${a[0]} ${a[3]} ${a[4]} ${a[7]} ${a[8]} ${a[31]}`);
  for (let i = 0; i < 32; i++) b[i] = u8(i * 3);
  memcpy(pa + 16, pb + 1, 8);
  print(`${a[15]} ${a[16]} ${a[23]} ${a[24]}`);
  print(`${memcmp(pa, pa, 32)} ${sign(memcmp(pa, pb, 1))} ${sign(memcmp(pb, pa, 1))}`);
  memcpy(pb, pa, 32);
  print(`${memcmp(pa, pb, 32)}`);
  b[31] = 0xFF;
  print(`${sign(memcmp(pa, pb, 32))} ${sign(memcmp(pb, pa, 32))} ${memcmp(pa, pb, 31)}`);
  memset(pa, 1, 0);
  memcpy(pa, pb, 0);
  print(`${a[0]}`);
}

/* expect:
90 90 0 0 90 90
90 3 24 90
0 1 -1
0
-1 1 0
90
*/
