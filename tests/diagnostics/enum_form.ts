export enum Flags {
  A = 1,
  B = 1 << 1, // error TSK1049
}
