export function f_noret(x: u32) { // error TSK3010
  return x + 1;
}
