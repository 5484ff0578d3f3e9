class Link { next: Link | null = null; v: u32 = 0; }
export function f_optchain(l: Link): u32 {
  const n = l.next?.v; // error TSK1012
  return 0;
}
