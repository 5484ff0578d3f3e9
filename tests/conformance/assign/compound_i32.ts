// Every compound assignment operator on an i32 variable, each result wrapped explicitly.
import { print } from "../lib/print";

export function main(): void {
  let x: i32 = 1000;
  x += 234;
  print(`+= ${x}`);
  x -= 2000;
  print(`-= ${x}`);
  x *= 3;
  print(`*= ${x}`);
  x = i32(x / 7);
  print(`/ ${x}`);
  x %= 100;
  print(`%= ${x}`);
  x <<= 4;
  print(`<<= ${x}`);
  x >>= 2;
  print(`>>= ${x}`);
  x >>>= 28;
  print(`>>>= ${x}`);
  x |= 0x100;
  print(`|= ${x}`);
  x &= 0x1F0;
  print(`&= ${x}`);
  x ^= 0xFF;
  print(`^= ${x}`);
}

/* expect:
+= 1234
-= -766
*= -2298
/ -328
%= -28
<<= -448
>>= -112
>>>= 15
|= 271
&= 256
^= 511
*/
