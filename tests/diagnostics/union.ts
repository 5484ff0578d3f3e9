export function f_union(x: u32 | bool): void { // error TSK1021
}
export function f_nullable_int(x: u32 | null): void { // error TSK1021
}
