// default in the middle, falling through into a later case; a switch with no default at all.
import { print } from "../lib/print";

function f(x: i16): i32 {
  let r: i32 = 0;
  switch (x) {
    case -1:
      r = 1;
      break;
    default:
      r = 2;
    case 7:
      r = r * 10 + 3;
      break;
    case 300:
      r = 4;
  }
  return r;
}

function g(x: i64): i32 {
  let r: i32 = 5;
  switch (x) {
    case 1: r = 6; break;
    case 2: r = 7; break;
  }
  return r;
}

export function main(): void {
  print(`${f(-1)} ${f(7)} ${f(300)} ${f(0)} ${f(-32768)}`);
  print(`${g(0)} ${g(1)} ${g(2)} ${g(3)}`);
}

/* expect:
1 3 4 23 23
5 6 7 5
*/
