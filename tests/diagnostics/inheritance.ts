class Base { a: u32 = 0; }
export class Derived extends Base { // error TSK1018
  b: u32 = 0;
}
