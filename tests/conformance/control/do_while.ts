// do-while runs its body once even when the condition is false at first.
import { print } from "../lib/print";

export function main(): void {
  let a: i32 = 10;
  do {
    a = a + 1;
  } while (a < 5);
  let digits: i32 = 0;
  let v: u32 = 1234567;
  do {
    digits++;
    v = u32(v / 10);
  } while (v != 0);
  let z: u32 = 0;
  let zd: i32 = 0;
  do {
    zd++;
    z = u32(z / 10);
  } while (z != 0);
  print(`${a} ${digits} ${zd}`);
}

/* expect:
11 7 1
*/
