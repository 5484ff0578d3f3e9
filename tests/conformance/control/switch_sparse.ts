// A sparse switch over u32 with large and boundary case values, returning from cases.
import { print } from "../lib/print";

function code(v: u32): i32 {
  switch (v) {
    case 0: return 1;
    case 100: return 2;
    case 1000000: return 3;
    case 0x7FFFFFFF: return 4;
    case 0x80000000: return 5;
    case 0xFFFFFFFF: return 6;
  }
  return 0;
}

const vs: u32[] = [0, 1, 100, 99, 1000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE];

export function main(): void {
  for (let i = 0; i < vs.length; i++) print(`${vs[i]} -> ${code(vs[i])}`);
}

/* expect:
0 -> 1
1 -> 0
100 -> 2
99 -> 0
1000000 -> 3
2147483647 -> 4
2147483648 -> 5
4294967295 -> 6
4294967294 -> 0
*/
