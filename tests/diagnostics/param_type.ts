class U1 { v: u32 = 0; }
export function f_param(u: Inline<U1>): void {} // error TSK2021
export function f_param_arr(a: InlineArray<u8, 4>): void {} // error TSK2021
