export function f_hex(x: u32): void {
  const s = hex(x); // error TSK2008
}
