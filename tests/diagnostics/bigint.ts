export function f_bigint(): void {
  let x: bigint = 10n; // error TSK1026 TSK1026
}
