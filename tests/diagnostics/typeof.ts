export function f_typeof(x: u32): bool {
  return typeof x == "number"; // error TSK1013
}
