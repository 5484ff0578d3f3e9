class Pt { x: i32 = 0; y: i32 = 0; }
export function f_destructure(p: Pt): i32 {
  const { x, y } = p; // error TSK1011
  let a: i32 = 0;
  let b: i32 = 0;
  [a, b] = [b, a]; // error TSK1011 TSK1030 TSK1030
  return x + y;
}
