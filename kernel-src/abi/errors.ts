// The kernel/user ABI: status codes. System calls and the kernel's IPC functions return these
// (negative = error); user programs compare against the same constants. The numbers are the
// seed's and are part of the ABI: never renumber, only add.

export const E_OK: i64 = 0;
export const E_INVAL: i64 = -1;
export const E_FAULT: i64 = -2;
export const E_NOSYS: i64 = -3;
export const E_NOMEM: i64 = -4;
export const E_BADPORT: i64 = -5;
export const E_FULL: i64 = -6;
export const E_DESTROYED: i64 = -7;
export const E_TOOBIG: i64 = -8;
export const E_AGAIN: i64 = -9;
export const E_TRUNC: i64 = -10;
export const E_KILLED: i64 = -11;
export const E_BADF: i64 = -12;
export const E_NOENT: i64 = -13; // no such file or directory
