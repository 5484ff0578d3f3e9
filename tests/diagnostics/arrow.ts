let counter: i32 = 0;
export class AccArrow {
  total: i32 = 0;
  adder(): (v: i32) => void {
    return (v: i32): void => {
      this.total += v; // error TSK1002
    };
  }
}
export function f_arrow(k: i32): i32 {
  const ok = (a: i32): i32 => a + counter; // module variables are fine
  const g = (a: i32): i32 => a + k; // error TSK1002
  const base = 3;
  const h = (a: i32): i32 => {
    const local = a * 2; // its own locals are fine
    return local + base; // error TSK1002
  };
  const u = (a) => a; // error TSK2021 TS7006
  return ok(1) + g(1) + h(1);
}
