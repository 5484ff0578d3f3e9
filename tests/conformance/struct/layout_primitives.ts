// node: skip -- sizeof/alignof exist only natively
// sizeof/alignof of the primitive types, strings, references and function types.
import { print } from "../lib/print";

class Obj { x: u8 = 0; }

export function main(): void {
  print(`${sizeof<i8>()} ${sizeof<u8>()} ${sizeof<i16>()} ${sizeof<u16>()} ${sizeof<i32>()} ${sizeof<u32>()} ${sizeof<i64>()} ${sizeof<u64>()}`);
  print(`${sizeof<isize>()} ${sizeof<usize>()} ${sizeof<bool>()} ${alignof<u16>()} ${alignof<u64>()} ${alignof<bool>()}`);
  print(`${sizeof<Obj>()} ${alignof<Obj>()}`);
}

/* expect:
1 1 2 2 4 4 8 8
8 8 1 2 8 1
1 1
*/
