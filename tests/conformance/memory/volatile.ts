// volatile_load/volatile_store behave like load/store (every access happens, in order).
import { print } from "../lib/print";

let reg!: InlineArray<u32, 4>;

export function main(): void {
  const p = addr_of(reg);
  volatile_store<u32>(p, 1);
  volatile_store<u32>(p, 2);
  volatile_store<u32>(p, 3, 4);
  let sum: u32 = 0;
  for (let i = 0; i < 10; i++) sum += volatile_load<u32>(p);
  print(`${sum} ${volatile_load<u32>(p, 4)} ${reg[0]} ${reg[1]}`);
  volatile_store<u8>(p + 8, 0xFF);
  print(`${volatile_load<u16>(p + 8)}`);
}

/* expect:
20 3 2 3
255
*/
