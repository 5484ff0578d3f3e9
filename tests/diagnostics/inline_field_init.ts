export class X1 {
  buf: InlineArray<u8, 4> = changetype<InlineArray<u8, 4>>(0); // error TSK3007
  ok!: InlineArray<u8, 4>;
}
