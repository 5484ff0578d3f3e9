export function f_number(x: number): number { // error TSK1025 TSK1025
  return x;
}
