// String escapes: \t \\ \" \x41 \u0042 and an embedded newline, written byte for byte.
import { print } from "../lib/print";

export function main(): void {
  print("tab:\there");
  print("back\\slash \"quoted\" \x41\u0042C");
  print("two\nlines");
  const s = "\x00\x01\x7f";
  print(`${s.length} ${s.charCodeAt(0)} ${s.charCodeAt(1)} ${s.charCodeAt(2)}`);
}

/* expect:
tab:	here
back\slash "quoted" ABC
two
lines
3 0 1 127
*/
