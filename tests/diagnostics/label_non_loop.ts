export function f_label(x: u32): void {
  block: { // error TSK1046
    if (x) break block;
    hlt();
  }
}
