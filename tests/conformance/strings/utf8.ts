// node: skip -- JS strings are UTF-16: .length and charCodeAt count code units, not UTF-8 bytes
// Strings are stored as UTF-8: length counts bytes, charCodeAt reads bytes.
import { print } from "../lib/print";

export function main(): void {
  const s = "héllo→";
  print(`${s.length} ${s.charCodeAt(1)} ${s.charCodeAt(2)} ${hex(s.charCodeAt(6))}`);
  print(s);
}

/* expect:
9 195 169 0xe2
héllo→
*/
