class M1 { v: u32 = 0; }
class M2 { v: u32 = 0; }
export function f_mismatch(b: bool, m: M1, s: string): u32 {
  let x: u32 = b; // error TSK2004 TS2322
  let y: u32 = m; // error TSK2004 TS2322
  let z: M2 = m; // error TSK2004
  let n: u32 = null; // error TSK2004 TS2322
  return 0;
}
