class C { v: u8 = 0; }
export function f_delete(c: C): void {
  delete c.v; // error TSK1016 TS2790
}
