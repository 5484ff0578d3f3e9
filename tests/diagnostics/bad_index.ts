class S1 { v: u32 = 0; }
export function f_index(s: S1, b: bool): void {
  let buf!: InlineArray<u8, 8>;
  const a = buf[b]; // error TSK2020 TS2538
  const c = s[0]; // error TSK2020 TS7053
}
const SMALL: u16[] = [1, 2, 3];
export function f_index_range(): u16 {
  let buf!: InlineArray<u8, 8>;
  buf[7] = 1;
  buf[8] = 1; // error TSK2026
  return SMALL[i32(-1)] + SMALL[3]; // error TSK2026 TSK2026
}
