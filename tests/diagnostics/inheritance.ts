class Base1 {
  a: u32 = 0;
  get_a(): u32 {
    return this.a;
  }
}
export class Derived1 extends Base1 {
  b: u32 = 0;
  get_a(): u8 { // error TSK2025
    return 1;
  }
}
interface Dev1 {
  read(): u32;
}
export class NoRead implements Dev1 { // error TSK2025 TS2420
  x: u32 = 0;
}
export class Holder1 {
  d!: Inline<Base1>; // error TSK1018
}
abstract class Abs1 {
  abstract f(): u32;
  v: u32 = 0;
}
export function make_abs(): u32 {
  const a = new Abs1(); // error TSK1018 TS2511
  return a.f();
}
export class Alloc1 {
  x: u32 = 0;
}
let static_abs!: Inline<Abs1>; // error TSK1018
let static_dev!: Inline<Dev1>; // error TSK1018
export function static_in_function(): u32 {
  let b!: Inline<Base1>; // error TSK1018
  return static_abs.v + b.a;
}
