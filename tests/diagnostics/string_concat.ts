export function f_concat(name: string): void {
  const s = "hello " + name; // error TSK1023
  let t: string = "a";
  t += "b"; // error TSK1023
}
export function f_template(x: u32): void {
  const s = `x=${x}`; // error TSK1023
}
