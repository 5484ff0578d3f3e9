export class Acc {
  v: u32 = 0;
  get double(): u32 { // error TSK1019
    return this.v * 2;
  }
  set double(x: u32) { // error TSK1019
    this.v = x / 2;
  }
}
