// void functions with early returns, returns from inside loops and switches.
import { print } from "../lib/print";

let log: i32 = 0;

function record(x: i32): void {
  if (x < 0) return;
  log = log * 10 + x;
}

function find(needle: i32): i32 {
  for (let i = 0; i < 100; i++) {
    for (let j = 0; j < 100; j++) {
      if (i * j == needle) return i * 1000 + j;
    }
  }
  return -1;
}

function kind(x: u8): i32 {
  switch (x) {
    case 1: return 10;
    case 2: { return 20; }
    default: break;
  }
  return 0;
}

export function main(): void {
  record(1);
  record(-1);
  record(2);
  print(`${log} ${find(91)} ${find(9973 * 2)} ${kind(1)} ${kind(2)} ${kind(3)}`);
}

/* expect:
12 1091 -1 10 20 0
*/
