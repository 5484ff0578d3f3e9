// The kernel/user ABI of the file system calls (SYS_OPEN ... SYS_READDIR in abi/syscall.ts).
// A path is passed as (address, length): UTF-8, absolute ('/'-separated), at most PATH_MAX bytes.
// SYS_READ and SYS_WRITE take a file descriptor from SYS_OPEN (FD_FIRST and up) as well as the
// console's 0, 1 and 2.

export const PATH_MAX: u64 = 255;
export const NAME_MAX: u64 = 59;
export const FD_FIRST: u64 = 3;

// SYS_OPEN flags.
export const O_READ: u64 = 1;
export const O_WRITE: u64 = 2;
export const O_CREATE: u64 = 4; // create the file if it does not exist (its directory must)
export const O_TRUNC: u64 = 8; // start from an empty file

// SYS_SEEK whence.
export const SEEK_SET: u64 = 0;
export const SEEK_CUR: u64 = 1;
export const SEEK_END: u64 = 2;

// FsStat.kind
export const KIND_FILE: u64 = 1;
export const KIND_DIR: u64 = 2;

/** What SYS_STAT writes. */
export class FsStat {
  size: u64 = 0;
  kind: u64 = 0;
}
