export function f_undef(x: u32 | undefined): void { // error TSK1041
  if (x == undefined) hlt(); // error TSK1041
}
