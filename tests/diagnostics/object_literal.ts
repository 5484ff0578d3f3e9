export function f_objlit(): void {
  const o = { a: 1, b: 2 }; // error TSK1020
}
