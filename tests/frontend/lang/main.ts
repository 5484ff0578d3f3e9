import { exit, print } from "./io";
import { print_widths } from "./arith";
import { layout, objects, arrays, memory, atomics } from "./structs";
import { globals } from "./globals";

export function main(): void {
  print(`hello ${"world"}\n`);
  print("plain\n");
  print_widths();
  layout();
  objects();
  arrays();
  memory();
  atomics();
  globals();
  exit(3);
}
