export function f_decl(x: u32): void {
  enum Local { A } // error TSK3009
  sw: switch (x) { // error TSK1046
    case 1:
      break;
  }
}
