export class PP {
  maybe?: u32; // error TSK1053
  constructor(public x: u32) {} // error TSK1053
}
