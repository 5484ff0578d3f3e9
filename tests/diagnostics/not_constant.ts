function seven(): u32 { return 7; }
let g: u32 = seven(); // error TSK2011
let h: u32 = 1;
const K: u32 = h + 1; // error TSK2011
const SELF: u32 = SELF + 1; // error TSK2011 TS2448 TS2454
export function f_notconst(): u32 { return g + K + SELF; }
