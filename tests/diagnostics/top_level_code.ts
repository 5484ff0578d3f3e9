let n: u32 = 0;
n = 5; // error TSK1029
export function f_top(): void {}
if (n) hlt(); // error TSK1029
