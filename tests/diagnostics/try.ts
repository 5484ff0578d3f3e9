export function f_try(): i32 {
  try { // error TSK1005
    return 1;
  } finally {
    hlt();
  }
}
