// for loops: nested, counting down, empty parts, a loop variable of a narrow type.
import { print } from "../lib/print";

export function main(): void {
  let total: i32 = 0;
  for (let i = 0; i < 10; i++) for (let j = i; j < 10; j++) total += j;
  let down: i32 = 0;
  for (let i = 10; i > 0; i--) down = down * 2 + i;
  let k: i32 = 0;
  for (;;) {
    k++;
    if (k == 7) break;
  }
  let m: u8 = 0;
  for (let c: u8 = 250; c != 4; c = u8(c + 1)) m++; // wraps past 255
  print(`${total} ${down} ${k} ${m}`);
}

/* expect:
330 9217 7 10
*/
