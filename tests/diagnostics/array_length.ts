export class R1 {
  bad!: InlineArray<u8, -1>; // error TSK2019
  good!: InlineArray<u8, 4>;
  huge!: InlineArray<u8, 2147483648>; // error TSK2019
  wide!: InlineArray<u64, 268435456>; // error TSK2019
}
