// Reading a POSIX ustar archive in memory (the initial ramdisk, built by compiler/driver/initrd.ts):
// 512-byte headers, each followed by its data padded to 512 bytes, two zero blocks at the end.
// The archive comes from the bootloader or the image, so every field is checked before use.

const BLOCK: u64 = 512;

/** Parses an octal field of `len` bytes at p (stops at NUL or space); -1 if it is not octal. */
function octal(p: u64, len: u64): i64 {
  let v: i64 = 0;
  for (let i: u64 = 0; i < len; i++) {
    let c = load<u8>(p + i);
    if (c == 0 || c == 32) break;
    if (c < 48 || c > 55) return -1;
    v = v * 8 + i64(c - 48);
  }
  return v;
}

/** True when the block at h is a header with a good checksum. */
export function tar_header_ok(h: u64): bool {
  if (load<u8>(h) == 0) return false;
  let sum: i64 = 0;
  for (let i: u64 = 0; i < BLOCK; i++) sum += i64(i >= 148 && i < 156 ? 32 : load<u8>(h + i));
  return octal(h + 148, 8) == sum && octal(h + 124, 12) >= 0;
}

/** Size of the entry's data. */
export function tar_size(h: u64): u64 {
  return u64(octal(h + 124, 12));
}

/** The header after h, or 0 at the end (or past `end`, or at a bad header). */
export function tar_next(h: u64, end: u64): u64 {
  let n = h + BLOCK + ((tar_size(h) + BLOCK - 1) & ~(BLOCK - 1));
  return n + BLOCK <= end && tar_header_ok(n) ? n : 0;
}

/** The first header of the archive [start, end), or 0. */
export function tar_first(start: u64, end: u64): u64 {
  return start + BLOCK <= end && tar_header_ok(start) ? start : 0;
}

/** True for a directory entry ('5'), false for a regular file ('0' or NUL). */
export function tar_is_dir(h: u64): bool {
  return load<u8>(h + 156) == 53;
}

/** True for a regular file. */
export function tar_is_file(h: u64): bool {
  let t = load<u8>(h + 156);
  return t == 48 || t == 0;
}

/** Address of the entry's name (NUL-terminated within 100 bytes; ustar's prefix field unused). */
export function tar_name(h: u64): u64 {
  return h;
}

/** Length of the entry's name without a trailing '/'. */
export function tar_name_len(h: u64): u64 {
  let n: u64 = 0;
  while (n < 100 && load<u8>(h + n) != 0) n++;
  if (n > 0 && load<u8>(h + n - 1) == 47) n--;
  return n;
}

/** Address of the entry's data. */
export function tar_data(h: u64): u64 {
  return h + BLOCK;
}
