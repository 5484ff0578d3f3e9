namespace NS { // error TSK1036
  export const X: u32 = 1;
}
export function f_ns(): void {}
