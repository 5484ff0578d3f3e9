// Arrow functions and function expressions that capture nothing are plain functions: their
// value is an address, usable wherever a function type is expected; parameter and return types
// come from the annotations or from the function type they are passed as.
import { print } from "../lib/print";

type Cmp = (a: i32, b: i32) => i32;

let data!: InlineArray<i32, 6>;
let calls: u32 = 0;

function sort(n: i32, cmp: Cmp): void {
  for (let i = 1; i < n; i++) {
    for (let j = i; j > 0 && cmp(data[j - 1], data[j]) > 0; j--) {
      const t = data[j];
      data[j] = data[j - 1];
      data[j - 1] = t;
    }
  }
}

function show(n: i32): void {
  print(`${data[0]} ${data[1]} ${data[2]} ${data[3]} ${data[4]} ${data[5]}`);
}

function apply(x: u64, f: (v: u64) => u64): u64 {
  return f(x);
}

function pick2<T>(first: bool, a: T, b: T, f: (v: T) => T): T {
  return first ? f(a) : f(b);
}

const twice = (v: u64): u64 => v * 2; // a module-level constant function

export function main(): void {
  data[0] = 5;
  data[1] = -3;
  data[2] = 12;
  data[3] = 0;
  data[4] = -40;
  data[5] = 7;
  sort(6, (a, b) => a - b);
  show(6);
  sort(6, function (a: i32, b: i32): i32 {
    calls++; // module variables are not captures
    return b - a;
  });
  show(6);
  const byAbs: Cmp = (a, b) => {
    const x = a < 0 ? -a : a;
    const y = b < 0 ? -b : b;
    return x - y;
  };
  sort(6, byAbs);
  show(6);
  print(`${apply(21, twice)} ${apply(5, (v) => v * v)} ${pick2(false, u8(3), 7, (v) => v * 10)} ${u32(calls > 0)}`);
}

/* expect:
-40 -3 0 5 7 12
12 7 5 0 -3 -40
0 -3 5 7 12 -40
42 25 70 1
*/
