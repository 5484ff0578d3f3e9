const ITEMS: u32[] = [1, 2];
export function f_forof(): u32 {
  let s: u32 = 0;
  for (const x of ITEMS) s += x; // error TSK1017
  return s;
}
