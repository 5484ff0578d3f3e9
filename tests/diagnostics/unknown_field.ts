class V1 { v: u32 = 0; }
export function f_field(x: V1): u32 {
  x.w = 1; // error TSK3004 TS2339
  return x.z; // error TSK3004 TS2339
}
