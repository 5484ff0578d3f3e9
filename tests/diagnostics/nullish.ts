class N1 { v: u32 = 0; }
export function f_nullish(a: N1 | null, b: N1): N1 {
  return a ?? b; // error TSK1047
}
