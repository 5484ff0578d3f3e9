import { println } from "./io";

export function add_u8(a: u8, b: u8): u8 { return a + b; }
export function mul_i16(a: i16, b: i16): i16 { return a * b; }
export function div_i32(a: i32, b: i32): i32 { return a / b; }
export function rem_i32(a: i32, b: i32): i32 { return a % b; }
export function div_u32(a: u32, b: u32): u32 { return a / b; }
export function rem_u64(a: u64, b: u64): u64 { return a % b; }
export function shr_i8(a: i8, n: i32): i8 { return a >> n; }
export function ushr_i8(a: i8, n: i32): i8 { return a >>> n; }
export function shr_u32(a: u32, n: u32): u32 { return a >> n; }
export function sar_i64(a: i64, n: i64): i64 { return a >> n; }
export function shl_i32(a: i32, n: i32): i32 { return a << n; }
export function neg_u32(a: u32): u32 { return -a; }
export function not_u16(a: u16): u16 { return ~a; }
export function lt_u32(a: u32, b: u32): bool { return a < b; }
export function lt_i32(a: i32, b: i32): bool { return a < b; }
export function widen(a: u8, b: i32): i32 { return a + b; }
export function widen64(a: u32): u64 { return a; }
export function sext(a: i32): i64 { return a; }
export function trunc8(a: u64): u8 { return u8(a); }
export function to_i8(a: u32): i8 { return i8(a); }
export function to_bool(a: u64): bool { return bool(a); }
export function from_bool(b: bool): u32 { return u32(b); }
export function big(): u64 { return 0xFFFF_FFFF_FFFF_FFFF; }
export function big_minus(): u64 { return 0x8000_0000_0000_0001 - 2; }
export function const_fold(): i32 { return (1 << 4) * 3 - 100 / 7; }
export function ctx_shift(): u64 { const x: u64 = 1 << 40; return x; }
export function min_i64(): i64 { return -9223372036854775808; }

export function compound(x: u32): u32 {
  let v = x;
  v += 5;
  v *= 3;
  v -= 1;
  v <<= 2;
  v >>= 1;
  v |= 0x100;
  v &= 0xfff;
  v ^= 0x0f0;
  v %= 1000;
  v /= 3;
  return v;
}

export function incdec(): i32 {
  let a = 5;
  const b = a++;
  const c = ++a;
  const d = a--;
  const e = --a;
  return a * 10000 + b * 1000 + c * 100 + d * 10 + e;
}

export function u8_wrap_inc(): u8 {
  let x: u8 = 255;
  x++;
  return x;
}

export function print_widths(): void {
  const a: i8 = -128;
  const b: u16 = 65535;
  const c: i64 = -1;
  println(`${a} ${b} ${c} ${u32(c)} ${i32(b)} ${hex(c)} ${hex(a)} ${true} ${bool(0)}`);
}
