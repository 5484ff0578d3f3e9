export function f_strcmp(a: string, b: string): bool {
  if (a == null) return false;
  return a == b; // error TSK2023
}
