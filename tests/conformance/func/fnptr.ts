// Function values: a function's name is its address; calling a function-typed value is an
// indirect call; function types as parameters and in module variables.
import { print } from "../lib/print";

type BinOp = (a: i32, b: i32) => i32;

function add(a: i32, b: i32): i32 { return a + b; }
function sub(a: i32, b: i32): i32 { return a - b; }
function mul(a: i32, b: i32): i32 { return a * b; }

function apply(op: BinOp, a: i32, b: i32): i32 {
  return op(a, b);
}

function fold(op: BinOp, init: i32, n: i32): i32 {
  let acc = init;
  for (let i = 1; i <= n; i++) acc = op(acc, i);
  return acc;
}

let current: BinOp = add;

export function main(): void {
  print(`${apply(add, 3, 4)} ${apply(sub, 3, 4)} ${apply(mul, 3, 4)}`);
  print(`${fold(add, 0, 10)} ${fold(mul, 1, 6)} ${fold(sub, 100, 4)}`);
  print(`${current(20, 22)}`);
  current = mul;
  print(`${current(6, 7)}`);
}

/* expect:
7 -1 12
55 720 90
42
42
*/
