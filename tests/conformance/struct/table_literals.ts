// A constant table of structs written with object literals: the structs themselves in .rodata,
// laid out as C lays out `const struct op OPS[] = {{...}, ...}`.
import { print } from "../lib/print";

class Op {
  code: u8 = 0;
  width: u16 = 0;
  mask: u64 = 0;
  name: string = "";
}

const OPS: Op[] = [
  { code: 1, width: 8, mask: 0xFF, name: "byte" },
  { code: 2, width: 16, mask: 0xFFFF, name: "word" },
  { code: 3, width: 64, mask: 0xFFFF_FFFF_FFFF, name: "wide" },
  { code: 9, width: 0, mask: 0, name: "none" },
];

function find(code: u8): Op | null {
  for (const op of OPS) if (op.code == code) return op;
  return null;
}

export function main(): void {
  let bits: u32 = 0;
  for (let i = 0; i < OPS.length; i++) bits += OPS[i].width;
  print(`${OPS.length} ${bits}`);
  const w = find(3);
  if (w != null) print(`${w.name} ${hex(w.mask)} ${w.width}`);
  const n = find(9);
  if (n != null) print(`${n.name} ${n.width} ${n.mask}`);
  print(`${u32(find(4) == null)}`);
}

/* expect:
4 88
wide 0xffffffffffff 64
none 0 0
1
*/
