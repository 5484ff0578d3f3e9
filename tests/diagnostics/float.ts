export function f_float(): i32 {
  const half = 0.5; // error TSK1024
  const third = .3; // error TSK1024
  return 1e3; // error TSK1024
}

export enum FloatEnum { A = 1.5 } // error TSK1024

export class FloatLength {
  a!: InlineArray<u8, 2.5>; // error TSK1024 TSK2019
}
