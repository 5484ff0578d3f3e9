// Output through the Linux write system call, with a fmt-based print.
let out_buf!: InlineArray<u8, 256>;
let out_len: i32 = 0;

export function flush(): void {
  if (out_len > 0) syscall(1, 1, addr_of(out_buf), u64(out_len));
  out_len = 0;
}

export function putc(c: u8): void {
  if (out_len == out_buf.length) flush();
  out_buf[out_len++] = c;
}

export function puts(s: string): void {
  for (let i = 0; i < s.length; i++) putc(s.charCodeAt(i));
}

function put_u64(v: u64): void {
  let digits!: InlineArray<u8, 20>;
  let n = 0;
  do {
    digits[n++] = u8(v % 10) + 48;
    v = v / 10;
  } while (v != 0);
  while (n > 0) putc(digits[--n]);
}

const HEX: string = "0123456789abcdef";

export function print(f: fmt): void {
  for (let i: usize = 0; i < fmt_count(f); i++) {
    const v = fmt_value(f, i);
    switch (fmt_kind(f, i)) {
      case FMT_STR:
        puts(changetype<string>(v));
        break;
      case FMT_INT:
        if (i64(v) < 0) {
          putc(45);
          put_u64(u64(-i64(v)));
        } else {
          put_u64(v);
        }
        break;
      case FMT_UINT:
        put_u64(v);
        break;
      default: {
        puts("0x");
        let shift = 60;
        while (shift > 0 && ((v >> u64(shift)) & 0xf) == 0) shift -= 4;
        for (; shift >= 0; shift -= 4) putc(HEX.charCodeAt(i32((v >> u64(shift)) & 0xf)));
      }
    }
  }
  flush();
}

/** Passes a fmt on to another fmt parameter. */
export function println(f: fmt): void {
  print(f);
  puts("\n");
  flush();
}

export function exit(code: i32): never {
  flush();
  syscall(60, u64(code));
  unreachable();
}
