export class Counter {
  static count: u32 = 0; // error TSK1028
  static readonly MAX: u32 = 10;
  static make(): u32 {
    return 1;
  }
}
export function f_static(): u32 {
  return Counter.make() + Counter.MAX;
}
