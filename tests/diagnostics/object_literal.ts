class Pt1 {
  x: u32 = 0;
  y: u8 = 0;
}
const PTS: Pt1[] = [{ x: 1, y: 300 }]; // error TSK2001
const LOCAL_NOT: u32 = 4;
export function f_objlit(): void {
  const o = { a: 1, b: 2 }; // error TSK1020
}
export function f_pts(): u32 {
  return PTS[0].x + LOCAL_NOT;
}
