export function f_rest(...xs: u32[]): void { // error TSK1035
}
