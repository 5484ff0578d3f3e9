export function f_localclass(): void {
  class Local { v: u8 = 0; } // error TSK3009
  const K = class { v: u8 = 0; }; // error TSK1033
}
