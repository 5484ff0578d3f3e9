export function f_opt(a: u32, b?: u32): u32 { // error TSK1034
  return a;
}
export function f_default(a: u32, b: u32 = 1): u32 { // error TSK1034
  return a + b;
}
