// static readonly integer constants on a class.
import { print } from "../lib/print";

class Limits {
  static readonly MAX_THREADS: u32 = 256;
  static readonly PRIORITIES: i32 = 128;
  static readonly STACK: u64 = 16384;
  x: u32 = 0;
}

export function main(): void {
  print(`${Limits.MAX_THREADS} ${Limits.PRIORITIES} ${Limits.STACK} ${Limits.MAX_THREADS * 2}`);
}

/* expect:
256 128 16384 512
*/
