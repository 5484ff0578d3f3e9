// Mutual recursion between two functions, and a recursive descent over a tiny expression string.
import { print } from "../lib/print";

function is_even(n: u32): bool {
  return n == 0 ? true : is_odd(n - 1);
}
function is_odd(n: u32): bool {
  return n == 0 ? false : is_even(n - 1);
}

// expr := term ('+' term)*, term := digit ('*' digit)*
const SRC = "2+3*4+5*6*1+7";
let pos: i32 = 0;

function term(): i32 {
  let v: i32 = SRC.charCodeAt(pos++) - 48;
  while (pos < SRC.length && SRC.charCodeAt(pos) == 42) {
    pos++;
    v = v * (SRC.charCodeAt(pos++) - 48);
  }
  return v;
}

function expr(): i32 {
  let v = term();
  while (pos < SRC.length && SRC.charCodeAt(pos) == 43) {
    pos++;
    v = v + term();
  }
  return v;
}

export function main(): void {
  print(`${u32(is_even(10))} ${u32(is_odd(7))} ${u32(is_even(7))}`);
  print(`${expr()}`);
}

/* expect:
1 1 0
51
*/
