// The prelude of Scarlett's restricted TypeScript: the types and intrinsics every source file sees.
//
// It exists so that kernel code type-checks in an editor and under `tsc --noEmit`. The project
// compiles with `noLib`: only what is declared here exists, so a call to a JavaScript library
// function (Array.prototype.map, Math.floor, JSON...) is an error as you type, not at build time.
//
// The integer types are aliases of `number` for TypeScript's benefit; the compiler gives each its
// real width and signedness (see docs/language.md). Names follow AssemblyScript where it has one.

// ---- the global interfaces TypeScript requires under noLib (kept minimal on purpose) ----
interface Array<T> {
  readonly length: i32;
  readonly [index: number]: T;
}
interface ReadonlyArray<T> {
  readonly length: i32;
  readonly [index: number]: T;
}
interface Boolean {}
interface Function {}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments {}
interface Number {}
interface Object {}
interface RegExp {}
interface String {
  /** Length in bytes (string literals are stored as UTF-8). */
  readonly length: i32;
  /** The byte at `index`, zero-extended. No bounds check. */
  charCodeAt(index: i32): u8;
}
interface TemplateStringsArray extends ReadonlyArray<string> {}
interface Symbol {}
interface SymbolConstructor {}
interface PropertyDescriptor {}
interface TypedPropertyDescriptor<T> {}
interface ClassDecorator {}
interface ClassMethodDecoratorContext<This = unknown, Value = unknown> {}

// ---- integer types ----
type i8 = number;
type i16 = number;
type i32 = number;
type i64 = number;
type u8 = number;
type u16 = number;
type u32 = number;
type u64 = number;
/** Pointer-sized signed integer (64 bits on x86-64). */
type isize = number;
/** Pointer-sized unsigned integer (64 bits on x86-64): addresses. */
type usize = number;
type bool = boolean;

// Explicit conversions, written as calls: truncate or extend to the named type.
declare function i8(value: number | boolean): i8;
declare function i16(value: number | boolean): i16;
declare function i32(value: number | boolean): i32;
declare function i64(value: number | boolean): i64;
declare function u8(value: number | boolean): u8;
declare function u16(value: number | boolean): u16;
declare function u32(value: number | boolean): u32;
declare function u64(value: number | boolean): u64;
declare function isize(value: number | boolean): isize;
declare function usize(value: number | boolean): usize;
declare function bool(value: number | boolean): bool;

// ---- structs ----
/**
 * A struct embedded in another by value (C's `struct T field;`). A plain class-typed field is a
 * pointer (C's `struct T *field;`). Reading an `Inline<T>` field gives a reference into the outer
 * struct.
 */
type Inline<T> = T;
/** A fixed-size array stored inline in a struct or a module variable (C's `T field[N];`). */
interface InlineArray<T, N extends number> {
  [index: number]: T;
  readonly length: N;
}

/**
 * A view of `length` elements of type T at address `ptr` (docs/language.md#slices). Indexing is
 * bounds-checked against `length`. A Slice is a local or a parameter (copied in), never a field,
 * a module variable or a result.
 */
interface Slice<T> {
  [index: number]: T;
  readonly length: usize;
  readonly ptr: usize;
}
/** A Slice of `length` T at `ptr`. */
declare function slice<T>(ptr: usize, length: usize): Slice<T>;
/** A Slice over a whole InlineArray or constant table. */
declare function as_slice<T, N extends number>(array: InlineArray<T, N> | readonly T[]): Slice<T>;

/** Size in bytes of a type, with System V C layout (padding included). */
declare function sizeof<T>(): usize;
/** Alignment in bytes of a type. */
declare function alignof<T>(): usize;
/** Byte offset of a field in a struct. */
declare function offsetof<T>(field: keyof T): usize;
/** Reinterpret a value as another type of the same size: an address as a struct, a struct as an address. */
declare function changetype<T>(value: any): T;
/** The address of a function, for IDT entries and tables. */
declare function addressof(fn: Function): usize;

// ---- raw memory ----
/** Load a T from `addr + offset`. */
declare function load<T>(addr: usize, offset?: usize): T;
/** Store a T to `addr + offset`. */
declare function store<T>(addr: usize, value: T, offset?: usize): void;
/** Like load/store, but never merged, removed or reordered with other volatile accesses (MMIO). */
declare function volatile_load<T>(addr: usize, offset?: usize): T;
declare function volatile_store<T>(addr: usize, value: T, offset?: usize): void;
declare function memcpy(dst: usize, src: usize, n: usize): void;
declare function memset(dst: usize, value: u8, n: usize): void;
declare function memcmp(a: usize, b: usize, n: usize): i32;
/** The address of a module-level variable or of a string literal's bytes. */
declare function addr_of(value: any): usize;
/** Marks code that cannot be reached: traps (ud2) if it is. */
declare function unreachable(): never;

// ---- allocation hooks ----
/**
 * `new C(...)` calls the kernel's `__alloc(size)` and then C's constructor; `destroy(obj)` calls
 * `__free(addr)`. The program being compiled must define both (exported functions) to use them.
 */
declare function destroy<T>(obj: T): void;

// ---- compile-time formatted output ----
/**
 * A parameter of type `fmt` accepts a template literal. The compiler lowers it, with no heap, to a
 * descriptor on the caller's stack: a count followed by (kind, value) pairs, one per literal chunk
 * or `${}` hole. The callee walks it with fmt_count/fmt_kind/fmt_value. A plain string passed for a
 * `fmt` parameter becomes a one-item descriptor.
 */
type fmt = string;
declare const FMT_STR: u32; // value is a string
declare const FMT_INT: u32; // value is a signed integer, printed in decimal
declare const FMT_UINT: u32; // value is an unsigned integer, printed in decimal
declare const FMT_HEX: u32; // value is printed as 0x-prefixed hexadecimal
declare function fmt_count(f: fmt): usize;
declare function fmt_kind(f: fmt, index: usize): u32;
declare function fmt_value(f: fmt, index: usize): u64;
/** Inside a template hole, format the value in hexadecimal: `${hex(addr)}`. */
declare function hex(value: number): string;

// ---- privileged instructions ----
declare function cli(): void;
declare function sti(): void;
declare function hlt(): void;
declare function pause(): void;
declare function inb(port: u16): u8;
declare function inw(port: u16): u16;
declare function inl(port: u16): u32;
declare function outb(port: u16, value: u8): void;
declare function outw(port: u16, value: u16): void;
declare function outl(port: u16, value: u32): void;
declare function rdmsr(msr: u32): u64;
declare function wrmsr(msr: u32, value: u64): void;
declare function read_cr0(): u64;
declare function write_cr0(value: u64): void;
declare function read_cr2(): u64;
declare function read_cr3(): u64;
declare function write_cr3(value: u64): void;
declare function read_cr4(): u64;
declare function write_cr4(value: u64): void;
declare function invlpg(addr: usize): void;
/** Load the GDT/IDT from a 10-byte pseudo-descriptor at `addr`. */
declare function lgdt(addr: usize): void;
declare function lidt(addr: usize): void;
declare function ltr(selector: u16): void;
declare function rdtsc(): u64;
/** The flags register (pushfq; pop): irq_save's first half. */
declare function read_rflags(): u64;
/** Loads the flags register (push; popfq): restores the interrupt flag read_rflags saw. */
declare function write_rflags(value: u64): void;
/** The 8 bytes at `offset` in the GS segment (`movq %gs:offset, r`): the per-CPU record's words. */
declare function read_gs_u64(offset: usize): u64;
/** Runs CPUID and stores eax, ebx, ecx, edx as four u32 at `out`. */
declare function cpuid(leaf: u32, subleaf: u32, out: usize): void;
/** The current frame pointer (rbp), for backtraces. */
declare function frame_address(): usize;
/** Compiler and CPU memory barriers. */
declare function barrier(): void;
declare function mfence(): void;
declare function lfence(): void;
declare function sfence(): void;

// ---- atomics (sequentially consistent, locked instructions) ----
declare function atomic_load<T>(addr: usize): T;
declare function atomic_store<T>(addr: usize, value: T): void;
declare function atomic_xchg<T>(addr: usize, value: T): T;
/** Compare-exchange: returns the old value; the store happened iff it equals `expected`. */
declare function atomic_cmpxchg<T>(addr: usize, expected: T, desired: T): T;
declare function atomic_fetch_add<T>(addr: usize, delta: T): T;

// ---- system calls (user programs and the Linux target) ----
/** Executes `syscall` with rax = nr and the arguments in rdi, rsi, rdx, r10, r8, r9. */
declare function syscall(nr: u64, a1?: u64, a2?: u64, a3?: u64, a4?: u64, a5?: u64, a6?: u64): i64;
