function sealed(c: Function): void {} // error TSK1048
@sealed // error TSK1039
export class Sealed { v: u8 = 0; }
