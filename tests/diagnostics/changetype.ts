class G1 { v: u32 = 0; }
export function f_changetype(g: G1, x: u32): void {
  const a = changetype<u32>(g); // error TSK2013
  const b = changetype<G1>(x); // error TSK2013
  const c = changetype<usize>(g);
}
