class E1 { v: u32 = 0; }
export function f_dyn(e: E1): u32 {
  return e["v"]; // error TSK1051
}
