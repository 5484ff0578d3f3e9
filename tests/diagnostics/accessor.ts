export class Acc1 {
  v: u32 = 0;
  get double(): u32 {
    return this.v * 2;
  }
  set half(x: u32) {
    this.v = x / 2;
  }
  static get one(): u32 { // error TSK1028
    return 1;
  }
}
export function f_acc(a: Acc1): u32 {
  a.half = 8;
  a.half += 2; // error TSK1019
  return a.double;
}
