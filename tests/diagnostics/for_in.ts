class D { a: u8 = 0; }
export function f_forin(d: D): void {
  for (const k in d) hlt(); // error TSK1017
}
