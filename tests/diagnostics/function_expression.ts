export function f_funexpr(): void {
  const g = function (a: i32): i32 { return a; }; // error TSK1002
}
