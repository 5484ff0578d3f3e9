// Structs, parameters and locals for the debugger tests' `info args`, `info locals` and `print`.
// Comments `@name` mark the lines tests/dwarf.test.ts looks for.

export class Task {
  tid: u32 = 0;
  prio: u8 = 0;
  next: Task | null = null;
  stack: u64 = 0;
}

let arena!: InlineArray<u64, 16>; // room for four tasks (24 bytes each)

/** @noinline */
export function make(slot: u32, tid: u32, prio: u8, next: Task | null): Task {
  const t = changetype<Task>(addr_of(arena) + usize(slot) * sizeof<Task>());
  t.tid = tid;
  t.prio = prio;
  t.next = next;
  t.stack = u64(tid) * 4096; // @make-stack
  return t; // @make-ret
}

/** @noinline */
function bump(x: u64): u64 {
  return x + 1;
}

/** @noinline */
export function weigh(t: Task, k: u32): u64 {
  const scaled = u64(t.tid) * u64(k) + 7; // @weigh-scaled
  let marks!: InlineArray<u32, 4>;
  marks[0] = k;
  marks[1] = t.tid;
  const total = scaled + bump(scaled); // @weigh-call
  return total + u64(marks[1]); // @weigh-ret
}
