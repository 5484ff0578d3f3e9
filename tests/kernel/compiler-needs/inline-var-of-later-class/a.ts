// COMPILER NEED, fixed by 78712e7 (kept as a reproduction; found by kernel-src/user/demo): a module variable `let g!: Inline<Point>;` whose
// class is declared in a module that sorts AFTER this file is refused with
//   a.ts:9:17 - error TSK1048: type 'Point' is not supported
// because lower.ts resolves module-variable types while it is still collecting the entities of
// the files in name order (z.ts's class is not registered yet). Renaming z.ts to 0.ts makes it
// compile. Expected: compiles; main returns 7.
import { Point } from "./z";

let g!: Inline<Point>;

export function main(): i32 {
  g.x = 3;
  g.y = 4;
  return g.x + g.y;
}
