export function f_unknown(): void {
  let v: unknown = null; // error TSK1004
}
