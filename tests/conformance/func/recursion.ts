// Direct recursion: factorial, Fibonacci, Ackermann(2, n), and a recursive sum of digits.
import { print } from "../lib/print";

function fact(n: u32): u32 {
  return n <= 1 ? 1 : u32(n * fact(n - 1));
}

function fib(n: i32): i32 {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

function ack(m: u32, n: u32): u32 {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

function digits(n: u32): u32 {
  return n < 10 ? n : n % 10 + digits(u32(n / 10));
}

export function main(): void {
  print(`${fact(10)} ${fact(12)} ${fib(20)} ${ack(2, 3)} ${ack(3, 3)} ${digits(987654321)}`);
}

/* expect:
3628800 479001600 6765 9 61 45
*/
