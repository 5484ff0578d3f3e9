// The message types user/shmcap and user/shmpeer exchange (their inline data's first u64: the
// sender's failed checks so far), and the object's size.
export const T_READY: u32 = 1;
export const T_GRANT_RW: u32 = 2;
export const T_SAW: u32 = 3;
export const T_GRANT_RO: u32 = 4;
export const T_RO_OK: u32 = 5;
export const T_REVOKED: u32 = 6;
export const T_AFTER_REVOKE: u32 = 7;
export const T_DIE: u32 = 8;
export const T_LATE: u32 = 9;
export const SIZE: u64 = 4 * 4096;
