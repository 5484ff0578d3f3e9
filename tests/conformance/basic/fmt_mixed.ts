// A template mixing string chunks, signed, unsigned and hex holes, and a string-typed hole.
import { print } from "../lib/print";

export function main(): void {
  const name = "idle";
  const tid: u32 = 3;
  const prio: i32 = -1;
  const addr: usize = 0xdead0;
  print(`thread ${tid} (${name}) prio=${prio} stack=${hex(addr)}`);
  print(`${tid}${tid}`);
  print(`[${name}]`);
  print(`${name}`);
  print(``);
  print(`end`);
}

/* expect:
thread 3 (idle) prio=-1 stack=0xdead0
33
[idle]
idle

end
*/
