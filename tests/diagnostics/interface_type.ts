interface Shape {
  w: u32; // error TSK1018
}
export function f_iface(s: Shape): u32 {
  return 0;
}
