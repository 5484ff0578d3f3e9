class H1 { inner!: InlineArray<u8, 4>; v: u32 = 0; }
function target(): void {}
export function f_assign(h: H1, x: u32): void {
  h.inner = h.inner; // error TSK2014
  target = target; // error TSK2014 TS2630
  x.foo = 1; // error TSK2014 TS2339
}
