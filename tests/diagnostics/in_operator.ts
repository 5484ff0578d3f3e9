class B { v: u8 = 0; }
export function f_in(b: B): bool {
  return "v" in b; // error TSK1015
}
