// The kernel symbol table `.ksymtab`, read by the kernel to name the function a faulting address
// is in. Layout (all little-endian):
//   u64 count
//   count x { u64 addr; u64 size; u64 name }   sorted by addr; name = virtual address of a string
//   the NUL-terminated names
// One entry per function: symbols of type func, and notype symbols with a size in executable
// sections (hand-written assembly that sets .size but not .type), locals included.
// The size depends only on the names, so the linker reserves it before addresses are assigned,
// lays it out with everything else, and fills it afterwards.

import { SHF_ALLOC, SHF_EXECINSTR, SHT_PROGBITS, type ObjSymbol, type Section } from './object.js';

export const KSYMTAB_HEADER = 8;
export const KSYMTAB_ENTRY = 24;

export interface KsymEntry {
  name: string;
  addr: bigint;
  size: number;
}

/** Whether a symbol defined in `section` belongs in the table. */
export function isKsym(sym: ObjSymbol, section: Section): boolean {
  if (sym.name === '' || (section.flags & SHF_EXECINSTR) === 0) return false;
  return sym.type === 'func' || (sym.type === 'notype' && sym.size > 0);
}

/** The placeholder section, sized for these names. */
export function ksymtabSection(names: string[]): Section {
  const strings = names.reduce((n, s) => n + utf8(s).length + 1, 0);
  const size = KSYMTAB_HEADER + names.length * KSYMTAB_ENTRY + strings;
  return { name: '.ksymtab', type: SHT_PROGBITS, flags: SHF_ALLOC, align: 8, data: new Uint8Array(size), size, relocs: [], lines: [] };
}

/** Fills the reserved bytes `out`, which live at virtual address `base`. */
export function fillKsymtab(out: Uint8Array, base: bigint, entries: KsymEntry[]): void {
  const sorted = [...entries].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(0, BigInt(sorted.length), true);
  let str = KSYMTAB_HEADER + sorted.length * KSYMTAB_ENTRY;
  sorted.forEach((e, i) => {
    const at = KSYMTAB_HEADER + i * KSYMTAB_ENTRY;
    view.setBigUint64(at, e.addr, true);
    view.setBigUint64(at + 8, BigInt(e.size), true);
    view.setBigUint64(at + 16, BigInt.asUintN(64, base + BigInt(str)), true);
    const bytes = utf8(e.name);
    out.set(bytes, str);
    str += bytes.length + 1; // the NUL is already there: the buffer starts zeroed
  });
  if (str !== out.length) throw new Error(`ksymtab: filled ${str} bytes of ${out.length} reserved`);
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
