interface Shape { w: u32; }
export function f_iface(s: Shape): u32 { // error TSK1048
  return 0;
}
