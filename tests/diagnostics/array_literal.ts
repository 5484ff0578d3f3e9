export function f_arrlit(): u32 {
  const xs = [1, 2, 3]; // error TSK1030
  return 0;
}
