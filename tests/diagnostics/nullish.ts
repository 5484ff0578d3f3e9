class N1 { v: u32 = 0; }
export function f_nullish(a: N1 | null, b: N1, x: u32): u32 {
  const c = a ?? b;
  const d = x ?? 1; // error TSK1047
  let y: u32 = 0;
  y ??= 3; // error TSK1047
  return c.v;
}
