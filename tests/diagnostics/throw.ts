export function f_throw(x: i32): i32 {
  if (x < 0) throw 5; // error TSK1006
  return x;
}
