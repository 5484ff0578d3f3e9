export function classify(x: i32): i32 {
  switch (x) {
    case 0:
      return 100;
    case 1:
    case 2:
      x += 10; // falls through
    case 3:
      x += 100;
      break;
    default:
      x = -1;
      break;
    case 4: {
      x = 44;
    }
  }
  return x;
}

export function default_in_middle(x: u8): u32 {
  let r: u32 = 0;
  switch (x) {
    case 1:
      r += 1;
    default:
      r += 10;
    case 2:
      r += 100;
  }
  return r;
}

export function labelled(): i32 {
  let count = 0;
  outer: for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) {
      if (j == 5) continue outer;
      if (i == 7) break outer;
      count++;
    }
  }
  return count; // 7 * 5
}

export function loops(n: u32): u32 {
  let s: u32 = 0;
  let i: u32 = 0;
  while (true) {
    if (i >= n) break;
    i++;
    if (i % 2 == 0) continue;
    s += i;
  }
  do {
    s += 1000;
  } while (false);
  for (;;) {
    s++;
    if (s > 2000) break;
  }
  return s;
}

export function ternary(a: i32, b: u8): i64 {
  const m = a > 0 ? a : -a;
  const w: i64 = b > 10 ? m : 7;
  return w + (a > 0 && b > 0 ? 1 : 0) + (a < 0 || b == 0 ? 100 : 0);
}

export function conditions(p: Node | null, n: u32): i32 {
  let r = 0;
  if (p) r += 1;
  if (!p) r += 2;
  if (n) r += 4;
  if (p != null && p.value == 5) r += 8;
  const ok: bool = n > 3 || p == null;
  if (ok) r += 16;
  return r;
}

export class Node {
  value: u32 = 0;
  next: Node | null = null;
}

export function fib(n: u32): u64 {
  return n < 2 ? u64(n) : fib(n - 1) + fib(n - 2);
}

function is_even(n: u32): bool { return n == 0 ? true : is_odd(n - 1); }
function is_odd(n: u32): bool { return n == 0 ? false : is_even(n - 1); }
export function mutual(n: u32): bool { return is_even(n); }

export function many_args(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32, h: i32): i32 {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}
export function call_many(): i32 { return many_args(1, 2, 3, 4, 5, 6, 7, 8); }

type BinFn = (a: i32, b: i32) => i32;
function plus(a: i32, b: i32): i32 { return a + b; }
function minus(a: i32, b: i32): i32 { return a - b; }
const OPS: BinFn[] = [plus, minus];
let current: BinFn = minus;

export function fnptr(i: i32): i32 {
  const f = OPS[i];
  const g: (a: i32, b: i32) => i32 = plus;
  current = i == 0 ? minus : plus;
  return f(10, 3) * 100 + g(1, 1) * 10 + current(5, 4) + i32(addressof(plus) != 0);
}
