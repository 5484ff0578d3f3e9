let seed: u32 = 3;
export function f_opt(a: u32, b?: u32): u32 { // error TSK1034
  return a;
}
export function f_dflt(a: u32, b: u32 = seed): u32 { // error TSK2011
  return a + b;
}
export function f_opt_ok(a: u32, b: u32 = 4): u32 {
  return a + b;
}
export function f_call(f: (a: u32, b?: u32) => u32): u32 { // error TSK1034
  const g = f_opt_ok;
  return g(1); // error TSK1034
}
