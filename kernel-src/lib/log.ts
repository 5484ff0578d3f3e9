// Kernel logging: `[INFO]`, `[WARN]`, `[ERROR]` lines and raw formatted output on the console.
//
// Every function takes a `fmt` (a template literal lowered by the compiler to a descriptor of
// string / signed / unsigned / hex items), so formatting needs no heap and works from any context,
// fault handlers included. Output normally goes to COM1; `capture_begin` redirects it into a buffer
// so the self-tests can check the formatter. A whole line is written with interrupts off so that
// lines from different threads never interleave.

import { console_device } from "../arch/hal";
import { irq_save, irq_restore } from "../arch/hal";

const NEWLINE: u8 = 10;

// Capture sink: when capture_buf != 0, bytes go there (up to capture_cap) instead of COM1.
let capture_buf: usize = 0;
let capture_cap: usize = 0;
let capture_len: usize = 0;

function emit(c: u8): void {
  if (capture_buf != 0) {
    if (capture_len < capture_cap) store<u8>(capture_buf + capture_len, c);
    capture_len++;
    return;
  }
  console_device().putc(c);
}

export function capture_begin(buf: usize, cap: usize): void {
  capture_buf = buf;
  capture_cap = cap;
  capture_len = 0;
}

/** Ends a capture and returns the number of bytes produced (possibly more than fitted). */
export function capture_end(): usize {
  capture_buf = 0;
  return capture_len;
}

export function put_char(c: u8): void {
  emit(c);
}

export function put_str(s: string): void {
  let n = s.length;
  for (let i: i32 = 0; i < n; i++) emit(s.charCodeAt(i));
}

/** Writes `len` raw bytes from memory (user buffers, names stored in structs). */
export function put_bytes(addr: usize, len: usize): void {
  for (let i: usize = 0; i < len; i++) emit(load<u8>(addr + i));
}

export function put_udec(v: u64): void {
  let p: u64 = 1;
  while (v / p >= 10) p *= 10; // largest power of ten <= v; cannot overflow
  while (p > 0) {
    emit(u8(48 + (v / p) % 10));
    p /= 10;
  }
}

export function put_sdec(v: i64): void {
  if (v < 0) {
    emit(45); // '-'
    put_udec(u64(0) - u64(v)); // also right for i64 MIN
    return;
  }
  put_udec(u64(v));
}

/** 0x-prefixed, upper-case, no leading zeros (the seed's boot log style: 0xFFFFFFFFC0000040). */
export function put_hex(v: u64): void {
  emit(48); // '0'
  emit(120); // 'x'
  let shift: u64 = 60;
  while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
  while (true) {
    let d = u8((v >> shift) & 0xf);
    emit(d < 10 ? 48 + d : 55 + d);
    if (shift == 0) break;
    shift -= 4;
  }
}

export function put_fmt(f: fmt): void {
  let n = fmt_count(f);
  for (let i: usize = 0; i < n; i++) {
    let kind = fmt_kind(f, i);
    let value = fmt_value(f, i);
    if (kind == FMT_STR) put_str(changetype<string>(value));
    else if (kind == FMT_INT) put_sdec(i64(value));
    else if (kind == FMT_UINT) put_udec(value);
    else put_hex(value);
  }
}

function line(prefix: string, f: fmt): void {
  let flags = irq_save();
  put_str(prefix);
  put_fmt(f);
  emit(NEWLINE);
  irq_restore(flags);
}

export function log_info(f: fmt): void {
  line("[INFO] ", f);
}

export function log_warn(f: fmt): void {
  line("[WARN] ", f);
}

export function log_error(f: fmt): void {
  line("[ERROR] ", f);
}

/** Formatted output with no prefix and no newline added. */
export function kprint(f: fmt): void {
  let flags = irq_save();
  put_fmt(f);
  irq_restore(flags);
}
