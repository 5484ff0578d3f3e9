export function f_regex(): void {
  const r = /ab+c/; // error TSK1009
}
