export function f_lib(a: i32, b: i32): i32 {
  console.log(a); // error TSK1022 TS2584
  return Math.max(a, b); // error TSK1022 TS2304
}
