// Several errors of different kinds in one file: all reported in one run.
export function f_many(a: i32, b: u32): void {
  var c: i32 = 0; // error TSK1001
  let d: u8 = a; // error TSK2003
  let e = a + b; // error TSK2002
  let f: u16 = 70000; // error TSK2001
  let g = 1.5; // error TSK1024
}
