// Constant arrays in .rodata of several element types, indexed at run time, with .length.
import { print } from "../lib/print";

const BYTES: u8[] = [1, 2, 4, 8, 16, 32, 64, 128, 255];
const SHORTS: readonly i16[] = [-32768, -1, 0, 1, 32767];
const WORDS: u32[] = [0xDEADBEEF, 0xCAFEBABE, 0, 1];
const PRIMES: i32[] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];

export function main(): void {
  let s: u32 = 0;
  for (let i = 0; i < BYTES.length; i++) s += BYTES[i];
  print(`${BYTES.length} ${s}`);
  for (let i = 0; i < SHORTS.length; i++) print(`${SHORTS[i]}`);
  print(`${hex(WORDS[0])} ${hex(WORDS[1])} ${WORDS[2]} ${WORDS[3]}`);
  let p: i32 = 1;
  for (let i = 0; i < 5; i++) p *= PRIMES[i];
  print(`${p} ${PRIMES[PRIMES.length - 1]}`);
}

/* expect:
9 510
-32768
-1
0
1
32767
0xdeadbeef 0xcafebabe 0 1
2310 29
*/
