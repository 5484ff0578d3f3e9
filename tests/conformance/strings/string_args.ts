// Strings as parameters, return values, module constants and struct fields.
import { print } from "../lib/print";
import { bump_used } from "../lib/bump";

const GREETING = "hello";

class Named {
  name: string = "none";
  id: u32 = 0;
}

function pick(i: i32): string {
  return i == 0 ? "zero" : i == 1 ? GREETING : "many";
}

function shout(s: string): void {
  print(`${s}!`);
}

export function main(): void {
  shout(pick(0));
  shout(pick(1));
  shout(pick(2));
  const n = new Named();
  print(`${n.name} ${n.id}`);
  n.name = GREETING;
  n.id = 7;
  print(`${n.name} ${n.id} ${u32(bump_used() < 100)}`);
}

/* expect:
zero!
hello!
many!
none 0
hello 7 1
*/
