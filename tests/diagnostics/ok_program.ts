// A file with no errors: the diagnostics program is otherwise valid code.
export class Good { a: u8 = 0; b: u64 = 0; next: Good | null = null; }
export function f_ok(g: Good): u64 {
  return g.b + g.a;
}
