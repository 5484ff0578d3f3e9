import { serial_putc } from "./main";

function put_str(s: string): void {
  let i: i32 = 0;
  while (i < s.length) {
    serial_putc(s.charCodeAt(i));
    i++;
  }
}

function put_udec(v: u64): void {
  let buf!: InlineArray<u8, 24>;
  let n: i32 = 0;
  do {
    buf[n++] = u8(v % 10) + 48;
    v /= 10;
  } while (v != 0);
  while (n > 0) serial_putc(buf[--n]);
}

function put_hex(v: u64): void {
  put_str("0x");
  let shift: i32 = 60;
  let started = false;
  while (shift >= 0) {
    const d = u8((v >> u64(shift)) & 0xf);
    if (d != 0 || started || shift == 0) {
      started = true;
      serial_putc(d < 10 ? d + 48 : d + 87);
    }
    shift -= 4;
  }
}

export function log(f: fmt): void {
  const n = fmt_count(f);
  for (let i: usize = 0; i < n; i++) {
    const k = fmt_kind(f, i);
    const v = fmt_value(f, i);
    if (k == FMT_STR) put_str(changetype<string>(v));
    else if (k == FMT_INT) {
      if (i64(v) < 0) {
        serial_putc(45);
        put_udec(u64(-i64(v)));
      } else put_udec(v);
    } else if (k == FMT_UINT) put_udec(v);
    else put_hex(v);
  }
}
