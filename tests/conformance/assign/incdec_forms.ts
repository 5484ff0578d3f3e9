// Prefix and postfix ++/-- as statements and as expressions, on locals, globals and array elements.
import { print } from "../lib/print";

let g: i32 = 10;
let arr!: InlineArray<i32, 3>;

export function main(): void {
  let a: i32 = 5;
  const b = a++;
  const c = ++a;
  const d = a--;
  const e = --a;
  print(`${a} ${b} ${c} ${d} ${e}`);
  g++;
  ++g;
  const h = g--;
  print(`${g} ${h}`);
  arr[1]++;
  arr[1]++;
  const k = --arr[2];
  print(`${arr[0]} ${arr[1]} ${arr[2]} ${k}`);
  let i: i32 = 0;
  let s: i32 = 0;
  while (i++ < 5) s += i;
  print(`${i} ${s}`);
}

/* expect:
5 5 7 7 5
11 12
0 2 -1 -1
6 15
*/
