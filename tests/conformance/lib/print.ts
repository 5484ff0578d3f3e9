// Output for conformance programs: print(f) writes a formatted line to stdout.
//
// Natively a `fmt` argument is a descriptor (count, then kind/value pairs) and this file formats
// each item itself: FMT_STR as bytes, FMT_INT and FMT_UINT in decimal, FMT_HEX as 0x-prefixed
// lowercase hex with no leading zeros. Under node (tests/differential/shim.ts) a template literal
// is already the finished JS string: the shim's fmt_* present it as one FMT_STR item, so the same
// code writes it unchanged. The native formatting below matches JS's: decimal like `${n}`, hex like
// "0x" + n.toString(16).

declare function rt_write(addr: usize, len: usize): void;

let digits!: InlineArray<u8, 24>; // scratch for one number, filled from the end

function write_str(s: string): void {
  rt_write(changetype<usize>(s), usize(s.length));
}

function write_udec(v: u64): void {
  let i: usize = 24;
  do {
    i--;
    digits[i] = u8(48 + v % 10);
    v = v / 10;
  } while (v != 0);
  rt_write(addr_of(digits) + i, 24 - i);
}

function write_dec(v: u64): void {
  if (i64(v) < 0) {
    write_str("-");
    write_udec(0 - v); // two's complement magnitude: right for i64's MIN too
  } else {
    write_udec(v);
  }
}

function write_hex(v: u64): void {
  let i: usize = 24;
  do {
    i--;
    const d = u8(v & 15);
    digits[i] = d < 10 ? 48 + d : 87 + d; // '0'..'9', 'a'..'f'
    v = v >> 4;
  } while (v != 0);
  write_str("0x");
  rt_write(addr_of(digits) + i, 24 - i);
}

/** Writes the formatted text without a newline. */
export function write(f: fmt): void {
  const n = fmt_count(f);
  for (let i: usize = 0; i < n; i++) {
    const kind = fmt_kind(f, i);
    const v = fmt_value(f, i);
    if (kind == FMT_STR) write_str(changetype<string>(v));
    else if (kind == FMT_INT) write_dec(v);
    else if (kind == FMT_UINT) write_udec(v);
    else write_hex(v);
  }
}

/** Writes the formatted text and a newline. */
export function print(f: fmt): void {
  write(f);
  write_str("\n");
}
