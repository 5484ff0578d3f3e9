export function f_any(x: any): i32 { // error TSK1003
  return 0;
}
