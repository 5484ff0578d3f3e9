export function f_symbol(s: symbol): void {} // error TSK1052
