export function f_cast(x: u32): u8 {
  const a = x as u8; // error TSK1027
  const b = <u8>x; // error TSK1027
  return 0;
}
