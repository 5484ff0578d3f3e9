export function f_switch(x: u32, y: u32): u32 {
  switch (x) {
    case 1:
      return 10;
    case y: // error TSK2022
      return 20;
    case 1: // error TSK2022
      return 30;
  }
  return 0;
}
