class Link { next: Link | null = null; v: u32 = 0; buf!: InlineArray<u8, 4>; }
export function f_optchain(l: Link): u32 {
  const n = l.next?.v; // error TSK1012
  const m = l.next?.next!.v; // error TSK1012
  const k = l.next?.buf[0] ?? 0; // error TSK1012 TSK1047
  const ok = l.next?.next?.v ?? 5;
  return ok;
}
