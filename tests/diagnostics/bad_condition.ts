function nothing(): void {}
export function f_cond(): void {
  if (nothing()) hlt(); // error TSK2006 TS1345
}
