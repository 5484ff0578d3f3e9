export class Box<T> {
  v!: T;
}

function make<T>(): T | null {
  return null;
}

function small<T extends u16>(x: T): T {
  return x;
}

function grow<T>(n: u32, x: T | null): u32 {
  return n == 0 ? 0 : grow<Box<T>>(n - 1, null); // error TSK1043
}

export type Alias<T> = Box<T>; // error TSK1043

export function use_generics(): void {
  const a = make(); // error TSK1043
  const s = small(u32(5)); // error TSK2024
  const f = make; // error TSK1043
  const b = new Box(); // error TSK1043
  grow<Box<u8>>(3, null);
}
