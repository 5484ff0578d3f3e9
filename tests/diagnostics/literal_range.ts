export function f_range(): void {
  let a: u8 = 256; // error TSK2001
  const b: i8 = -129; // error TSK2001
  let c: u32 = -1; // error TSK2001
  let d = 0x1_0000_0000_0000_0000; // error TSK2001
  let e: i8 = -128;
  let f: u64 = 0xFFFF_FFFF_FFFF_FFFF;
}
