export function f_debugger(): void {
  debugger; // error TSK1032
}
