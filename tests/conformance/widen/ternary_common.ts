// ?: gives the common type of its two branches; only the chosen one is evaluated.
import { print } from "../lib/print";

let calls: i32 = 0;
function side(v: i32): i32 {
  calls = calls + 1;
  return v;
}

export function main(): void {
  const small: u8 = 7;
  const big: i32 = -70000;
  for (let i = 0; i < 4; i++) {
    const v = i % 2 == 0 ? small : big;
    print(`${i} ${v}`);
  }
  const w = calls > 0 ? side(1) : side(2);
  print(`${w} calls=${calls}`);
}

/* expect:
0 7
1 -70000
2 7
3 -70000
2 calls=1
*/
