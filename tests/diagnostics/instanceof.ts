class A { v: u8 = 0; }
export function f_instanceof(a: A): bool {
  return a instanceof A; // error TSK1014
}
