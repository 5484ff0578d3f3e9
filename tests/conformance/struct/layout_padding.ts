// node: skip -- sizeof/offsetof of structs exist only natively
// System V layout: each field at its natural alignment, size rounded up to the largest alignment.
// The sibling layout_padding.c prints the same numbers with gcc.
import { print } from "../lib/print";

class A { a: u8 = 0; b: u32 = 0; c: u8 = 0; }
class B { a: u8 = 0; b: u64 = 0; }
class C { a: u16 = 0; b: u8 = 0; }
class D { a: u64 = 0; b: u8 = 0; }
class E { a: u8 = 0; b: u8 = 0; c: u16 = 0; d: u32 = 0; e: u64 = 0; }
class F { a: bool = false; b: i16 = 0; c: bool = false; d: i32 = 0; e: bool = false; }

export function main(): void {
  print(`A ${sizeof<A>()} ${alignof<A>()} ${offsetof<A>("a")} ${offsetof<A>("b")} ${offsetof<A>("c")}`);
  print(`B ${sizeof<B>()} ${alignof<B>()} ${offsetof<B>("a")} ${offsetof<B>("b")}`);
  print(`C ${sizeof<C>()} ${alignof<C>()} ${offsetof<C>("a")} ${offsetof<C>("b")}`);
  print(`D ${sizeof<D>()} ${alignof<D>()} ${offsetof<D>("a")} ${offsetof<D>("b")}`);
  print(`E ${sizeof<E>()} ${alignof<E>()} ${offsetof<E>("b")} ${offsetof<E>("c")} ${offsetof<E>("d")} ${offsetof<E>("e")}`);
  print(`F ${sizeof<F>()} ${alignof<F>()} ${offsetof<F>("b")} ${offsetof<F>("c")} ${offsetof<F>("d")} ${offsetof<F>("e")}`);
}

/* expect:
A 12 4 0 4 8
B 16 8 0 8
C 4 2 0 2
D 16 8 0 8
E 16 8 1 2 4 8
F 16 4 2 4 8 12
*/
