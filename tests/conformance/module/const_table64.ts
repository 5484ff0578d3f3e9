// node: skip -- 64-bit table values beyond 2^53
// A constant table of u64 and of i64 in .rodata.
import { print } from "../lib/print";

const BIG: u64[] = [0, 1, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000, 0x0123456789ABCDEF];
const SIGNED: i64[] = [-9223372036854775808, -1, 9223372036854775807];

export function main(): void {
  for (let i = 0; i < BIG.length; i++) print(`${BIG[i]} ${hex(BIG[i])}`);
  for (let i = 0; i < SIGNED.length; i++) print(`${SIGNED[i]}`);
}

/* expect:
0 0x0
1 0x1
18446744073709551615 0xffffffffffffffff
9223372036854775808 0x8000000000000000
81985529216486895 0x123456789abcdef
-9223372036854775808
-1
9223372036854775807
*/
