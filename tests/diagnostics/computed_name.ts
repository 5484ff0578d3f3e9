export class Comp {
  ["field"]: u32 = 0; // error TSK1045
}
