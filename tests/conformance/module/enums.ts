// enum and const enum: compile-time i32 constants with implicit and explicit values.
import { print } from "../lib/print";

enum State { New, Ready, Running = 5, Blocked, Dead = 100 }
const enum Flag { Present = 1, Write = 2, User = 4, NoExec = 0x40 }

function state_name(s: i32): string {
  switch (s) {
    case State.New: return "new";
    case State.Ready: return "ready";
    case State.Running: return "running";
    case State.Blocked: return "blocked";
    case State.Dead: return "dead";
  }
  return "?";
}

export function main(): void {
  print(`${State.New} ${State.Ready} ${State.Running} ${State.Blocked} ${State.Dead}`);
  const flags: i32 = Flag.Present | Flag.Write | Flag.NoExec;
  print(`${flags} ${u32((flags & Flag.User) != 0)} ${u32((flags & Flag.Write) != 0)}`);
  for (let s = 0; s < 8; s++) print(`${s} ${state_name(s)}`);
}

/* expect:
0 1 5 6 100
67 0 1
0 new
1 ready
2 ?
3 ?
4 ?
5 running
6 blocked
7 ?
*/
