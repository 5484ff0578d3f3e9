class F1 { a: u32 = 0; b: u8 = 0; }
export function f_offsetof(): usize {
  return offsetof<F1>("c"); // error TSK2010 TS2345
}
export function f_offsetof_int(): usize {
  return offsetof<u32>("a"); // error TSK2010 TS2345
}
