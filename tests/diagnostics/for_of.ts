const ITEMS: u32[] = [1, 2];
class Bag1 {
  n: u32 = 0;
}
export function f_forof(b: Bag1, str: string): u32 {
  let s: u32 = 0;
  for (const x of ITEMS) s += x;
  let y: u32 = 0;
  for (y of ITEMS) s += y; // error TSK1017
  for (const c of str) s += 1; // error TSK1017
  for (const z of ITEMS) { const w: u8 = z; } // error TSK2003
  return s;
}
