import { println } from "./io";

class Point {
  x: i32 = 0;
  y: i32 = 0;
  constructor(x: i32, y: i32) {
    this.x = x;
    this.y = y;
  }
  len2(): i32 {
    return this.x * this.x + this.y * this.y;
  }
  scale(k: i32): void {
    this.x *= k;
    this.y *= k;
  }
}

class Mixed {
  a: u8 = 1;
  b: u64 = 2;
  c: u16 = 3;
  d: bool = true;
  e: i32 = -5;
  next: Mixed | null = null;
  pt!: Inline<Point>;
  name!: InlineArray<u8, 5>;
  static readonly MAGIC: u32 = 0xabcd;
}

class Rec {
  id: u32 = 0;
  items!: InlineArray<Inline<Point>, 3>;
  ptrs!: InlineArray<Point, 2>;
}

// A bump allocator for new/destroy.
let heap!: InlineArray<u8, 4096>;
let heap_top: usize = 0;
let frees: u32 = 0;
export function __alloc(size: usize): usize {
  const p = addr_of(heap) + heap_top;
  heap_top += (size + 15) & ~15;
  memset(p, 0, size);
  return p;
}
export function __free(addr: usize): void {
  frees++;
}

export function layout(): void {
  println(`${sizeof<Point>()} ${alignof<Point>()} ${sizeof<Mixed>()} ${alignof<Mixed>()}`);
  println(`${offsetof<Mixed>("a")} ${offsetof<Mixed>("b")} ${offsetof<Mixed>("c")} ${offsetof<Mixed>("d")} ${offsetof<Mixed>("e")} ${offsetof<Mixed>("next")} ${offsetof<Mixed>("pt")} ${offsetof<Mixed>("name")}`);
  println(`${sizeof<Rec>()} ${offsetof<Rec>("items")} ${offsetof<Rec>("ptrs")} ${sizeof<u16>()} ${Mixed.MAGIC}`);
}

export function objects(): void {
  const p = new Point(3, 4);
  const q = new Point(1, 2);
  p.scale(2);
  println(`${p.len2()} ${q.x} ${q.y} ${changetype<usize>(q) - changetype<usize>(p)}`);
  const m = new Mixed();
  println(`${m.a} ${m.b} ${m.c} ${m.d} ${m.e} ${m.next == null}`);
  m.pt.x = 7;
  m.pt.y = 8;
  m.next = m;
  m.next.name[4] = 99;
  m.name[0] = m.name[4] + 1;
  const inner = m.pt;
  inner.scale(3);
  println(`${m.pt.len2()} ${m.name[0]} ${load<u8>(changetype<usize>(m), offsetof<Mixed>("name") + 4)}`);
  destroy(p);
  destroy(m);
  println(`frees=${frees}`);
}

let rec!: Inline<Rec>;
let origin!: Inline<Point>;

export function arrays(): void {
  for (let i = 0; i < 3; i++) {
    rec.items[i].x = i * 10;
    rec.items[i].y = i * 10 + 1;
  }
  rec.ptrs[0] = origin;
  rec.ptrs[1] = rec.items[2];
  origin.x = 5;
  let sum = 0;
  for (let i = 0; i < rec.items.length; i++) sum += rec.items[i].len2();
  const p = rec.ptrs[1];
  println(`${sum} ${rec.ptrs[0].x} ${p != null ? p.y : -1} ${rec.ptrs.length}`);
}

export function memory(): void {
  let buf!: InlineArray<u8, 16>;
  const a = changetype<usize>(buf);
  memset(a, 0x11, 16);
  store<u32>(a, 0xdeadbeef, 4);
  store<u16>(a + 8, 0xffff);
  volatile_store<u8>(a, 0x80);
  const x = load<u32>(a, 4);
  const y = load<i16>(a + 8);
  const z = volatile_load<i8>(a);
  let other!: InlineArray<u8, 16>;
  memcpy(changetype<usize>(other), a, 16);
  const same = memcmp(changetype<usize>(other), a, 16);
  other[15] = 0;
  const diff = memcmp(changetype<usize>(other), a, 16);
  println(`${hex(x)} ${y} ${z} ${buf[9]} ${same} ${diff < 0}`);
}

let counter: u64 = 10;
export function atomics(): void {
  const a = addr_of(counter);
  const old = atomic_fetch_add<u64>(a, 5);
  const x = atomic_xchg<u64>(a, 100);
  const c1 = atomic_cmpxchg<u64>(a, 100, 7);
  const c2 = atomic_cmpxchg<u64>(a, 100, 8);
  atomic_store<u64>(a, atomic_load<u64>(a) + 1);
  println(`${old} ${x} ${c1} ${c2} ${counter}`);
}
