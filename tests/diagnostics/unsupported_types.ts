export function f_tuple(t: [u32, u32]): void {} // error TSK1048
export function f_objtype(o: { a: u32 }): void {} // error TSK1048
export function f_inter(o: Inline<u32> & bool): void {} // error TSK1048
export function f_littype(x: 5): void {} // error TSK1048
