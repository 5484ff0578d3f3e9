class O1 { v: u32 = 0; }
export function f_operand(b: bool, o: O1, s: string, t: string): void {
  const a = b + 1; // error TSK2005 TS2365
  const c = o * 2; // error TSK2005 TS2362
  const d = -b; // error TSK2005
  const e = s < t; // error TSK2005
  let f = b;
  f++; // error TSK2005 TS2356
}
