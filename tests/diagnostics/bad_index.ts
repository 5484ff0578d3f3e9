class S1 { v: u32 = 0; }
export function f_index(s: S1, b: bool): void {
  let buf!: InlineArray<u8, 8>;
  const a = buf[b]; // error TSK2020 TS2538
  const c = s[0]; // error TSK2020 TS7053
}
