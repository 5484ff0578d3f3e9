export class Point {
  x: i32 = 0;
  y: i32 = 0;
}
