export class R1 {
  bad!: InlineArray<u8, -1>; // error TSK2019
  good!: InlineArray<u8, 4>;
}
