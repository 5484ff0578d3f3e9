// node: skip -- sizeof/offsetof of structs exist only natively
// Inline<T> embeds a struct by value (its alignment counts), InlineArray<T, N> an array, and a
// class-typed field is an 8-byte pointer. The sibling layout_nested.c is gcc's opinion.
import { print } from "../lib/print";

class Regs { rip: u64 = 0; rsp: u64 = 0; flags: u32 = 0; }
class Small { x: u8 = 0; y: u16 = 0; }
class Thread {
  tid: u32 = 0;
  prio: u8 = 0;
  state: u8 = 0;
  stack: usize = 0;
  next: Thread | null = null;
  regs!: Inline<Regs>;
  name!: InlineArray<u8, 13>;
  small!: Inline<Small>;
  counters!: InlineArray<u32, 3>;
  last: bool = false;
}
class Wrapper { a: u8 = 0; t!: Inline<Small>; b: u8 = 0; arr!: InlineArray<u16, 3>; }

export function main(): void {
  print(`Regs ${sizeof<Regs>()} ${alignof<Regs>()}`);
  print(`Small ${sizeof<Small>()} ${alignof<Small>()}`);
  print(`Thread ${sizeof<Thread>()} ${alignof<Thread>()} ${offsetof<Thread>("stack")} ${offsetof<Thread>("next")} ${offsetof<Thread>("regs")} ${offsetof<Thread>("name")} ${offsetof<Thread>("small")} ${offsetof<Thread>("counters")} ${offsetof<Thread>("last")}`);
  print(`Wrapper ${sizeof<Wrapper>()} ${alignof<Wrapper>()} ${offsetof<Wrapper>("t")} ${offsetof<Wrapper>("b")} ${offsetof<Wrapper>("arr")}`);
}

/* expect:
Regs 24 8
Small 4 2
Thread 88 8 8 16 24 48 62 68 80
Wrapper 14 2 2 6 8
*/
