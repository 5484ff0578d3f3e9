export class Priv {
  #secret: u32 = 0; // error TSK1042
}
