// break inside a switch leaves the switch, continue inside it continues the enclosing loop.
import { print } from "../lib/print";

export function main(): void {
  let out: i32 = 0;
  for (let i = 0; i < 7; i++) {
    switch (i & 3) {
      case 0:
        continue;
      case 1:
        out = out * 10 + 1;
        break;
      case 2:
        if (i > 4) break;
        out = out * 10 + 2;
        break;
      default:
        out = out * 10 + 3;
    }
    out = out * 10;
  }
  print(`${out}`);
}

/* expect:
102030100
*/
