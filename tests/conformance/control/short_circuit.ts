// && and || evaluate their right side only when needed; the side effects show it.
import { print } from "../lib/print";

let trace: i32 = 0;
function t(id: i32, v: bool): bool {
  trace = trace * 10 + id;
  return v;
}

export function main(): void {
  trace = 0;
  const a = t(1, false) && t(2, true);
  print(`${u32(a)} ${trace}`);
  trace = 0;
  const b = t(1, true) && t(2, false);
  print(`${u32(b)} ${trace}`);
  trace = 0;
  const c = t(1, true) || t(2, false);
  print(`${u32(c)} ${trace}`);
  trace = 0;
  const d = t(1, false) || t(2, true);
  print(`${u32(d)} ${trace}`);
  trace = 0;
  const e = (t(1, false) && t(2, true)) || (t(3, true) && t(4, true));
  print(`${u32(e)} ${trace}`);
  trace = 0;
  if (t(1, true) || t(2, true) && t(3, false)) trace = trace * 10 + 9;
  print(`${trace}`);
}

/* expect:
0 1
0 12
1 1
1 12
1 134
19
*/
