class W1 { v: u32 = 0; }
export function f_new(): W1 {
  const w = new W1(); // error TSK3006
  destroy(w); // error TSK3006
  return w;
}
