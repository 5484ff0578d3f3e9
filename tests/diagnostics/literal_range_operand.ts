export function f_range_op(x: u8): u8 {
  return x + 300; // error TSK2001
}
export function f_range_arg(): void {
  outb(0x10000, 1); // error TSK2001
}
