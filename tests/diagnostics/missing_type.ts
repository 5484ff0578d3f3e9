let later; // error TSK3008
export class Y1 {
  v = 0; // error TSK3008
}
export function f_missing(): void {
  let p = null; // error TSK3008
}
