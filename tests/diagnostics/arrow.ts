export function f_arrow(): i32 {
  const g = (a: i32): i32 => a + 1; // error TSK1002
  return 0;
}
