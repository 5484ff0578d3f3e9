// A constant table of strings: an array of addresses in .rodata.
import { print } from "../lib/print";

const NAMES: string[] = ["EXIT", "WRITE", "READ", "SLEEP", "YIELD"];

export function main(): void {
  for (let i = 0; i < NAMES.length; i++) print(`${i} ${NAMES[i]} ${NAMES[i].length}`);
}

/* expect:
0 EXIT 4
1 WRITE 5
2 READ 4
3 SLEEP 5
4 YIELD 5
*/
