// node: skip -- reads the string's bytes and length through raw memory
// A string value is the address of NUL-terminated bytes with a u64 length at address - 8.
import { print } from "../lib/print";

export function main(): void {
  const s = "kernel";
  const p = changetype<usize>(s);
  print(`${load<u64>(p - 8)} ${load<u8>(p)} ${load<u8>(p, 5)} ${load<u8>(p, 6)}`);
  const t = changetype<string>(p + 3);
  print(`${t.charCodeAt(0)} ${t.charCodeAt(2)}`);
}

/* expect:
6 107 108 0
110 108
*/
