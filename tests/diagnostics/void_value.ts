function nothing(): void {}
export function f_voidval(): u32 {
  let a = nothing(); // error TSK2017
  const b: u32 = nothing(); // error TSK2017 TS2322
  return 0;
}
