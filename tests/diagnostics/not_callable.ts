class Q1 {
  v: u32 = 0;
  get_v(): u32 { return this.v; }
}
export function f_callable(q: Q1, x: u32): void {
  const m = q.get_v; // error TSK2018
  const port = outb; // error TSK2018
  x(); // error TSK2018
}
