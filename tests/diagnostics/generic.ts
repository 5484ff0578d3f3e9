export function f_identity<T>(x: T): T { // error TSK1043
  return x;
}
export class Box<T> { // error TSK1043
  v!: u32;
}
