// A fmt parameter passed on to another fmt parameter reaches print unchanged.
import { print } from "../lib/print";

function log(level: string, f: fmt): void {
  print(`[${level}]`);
  print(f);
}

function info(f: fmt): void {
  log("INFO", f);
}

export function main(): void {
  const n: u32 = 42;
  info(`answer=${n} hex=${hex(n)}`);
  info("plain string");
}

/* expect:
[INFO]
answer=42 hex=0x2a
[INFO]
plain string
*/
