export function f_var(): i32 {
  var x: i32 = 1; // error TSK1001
  return x;
}
