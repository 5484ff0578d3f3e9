export function* f_gen(): void { // error TSK1008 TS2505
  yield; // error TSK1008
}
