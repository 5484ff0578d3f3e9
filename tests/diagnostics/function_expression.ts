export function f_funexpr(limit: u32): void {
  const g = function (a: u32): u32 { return a < limit ? a : limit; }; // error TSK1002 TSK1002
  const n = function (a: u32) { return a; }; // error TSK3010
}
