const ZERO: i32 = 0;
const BAD: i32 = 10 / ZERO; // error TSK2012
const WORSE: i64 = -9223372036854775808 % -1; // error TSK2012
export function f_divzero(): i64 { return BAD + WORSE; }
