// Imports across modules: functions, a mutable variable (read live), a constant, and a
// non-exported name that clashes with one in the other module.
import { print } from "../lib/print";
import { bump, count, hidden_value, LIMIT, helper_from_counter } from "../lib/counter";

function helper(): u32 {
  return 2;
}

export function main(): void {
  bump(3);
  bump(4);
  print(`${count} ${hidden_value()} ${LIMIT}`);
  print(`${helper()} ${helper_from_counter()}`);
}

/* expect:
7 98 10
2 1
*/
