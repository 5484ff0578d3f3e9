// ObjectFile -> ELF64 relocatable object (`.o`) bytes, readable by GNU readelf, objdump and ld.
//
// Layout: ELF header, then each section's contents (aligned), then the section header table.
// Sections are the object's own, each followed by its `.rela` section when it has relocations,
// then `.symtab`, `.strtab`, `.shstrtab`. Local symbols come first in the symbol table, as ELF
// requires; relocations are renumbered to match. The records are elf.ts's, as for executables.

import {
  BIND_CODES, ByteWriter, EHDR_SIZE, ET_REL, RELA_SIZE, SHDR_SIZE, SHF_INFO_LINK, SHN_ABS, SHN_UNDEF, SHT_RELA, SHT_STRTAB,
  SHT_SYMTAB, StringTable, SYM_SIZE, TYPE_CODES, writeEhdr, writeRela, writeShdr, writeSym, type Sym,
} from './elf.js';
import { SHT_NOBITS, type ObjectFile, type ObjSymbol } from './object.js';

/** A section of the output file: its contents and the header fields that are not offsets. */
interface OutSection {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  size: number; // differs from data.length for NOBITS
  link: number;
  info: number;
  align: number;
  entsize: number;
}

export function writeRelocatable(obj: ObjectFile): Uint8Array {
  // Section header indices: 0 is null; each section then its .rela.
  const shndx: number[] = [];
  let next = 1;
  for (const s of obj.sections) {
    shndx.push(next++);
    if (s.relocs.length) next++;
  }
  const symtabIdx = next;
  const strtabIdx = next + 1;

  // Symbols: null, locals (section symbols first), then globals.
  const order = obj.symbols.map((s, i) => ({ s, i }));
  const locals = order.filter((e) => e.s.binding === 'local');
  locals.sort((a, b) => Number(b.s.type === 'section') - Number(a.s.type === 'section') || a.i - b.i);
  const globals = order.filter((e) => e.s.binding !== 'local');
  const newIndex: number[] = [];
  const strtab = new StringTable();
  const symtab = new ByteWriter();
  symtab.padTo(SYM_SIZE);
  [...locals, ...globals].forEach((e, k) => {
    newIndex[e.i] = k + 1;
    writeSym(symtab, elfSymbol(e.s, strtab, shndx));
  });

  const secs: OutSection[] = [];
  const add = (s: Omit<OutSection, 'size'>) => secs.push({ ...s, size: s.data.length });
  for (const s of obj.sections) {
    const data = s.type === SHT_NOBITS ? new Uint8Array(0) : s.data;
    secs.push({ name: s.name, type: s.type, flags: s.flags, data, size: s.size, link: 0, info: 0, align: s.align, entsize: 0 });
    if (s.relocs.length) {
      const rela = new ByteWriter();
      for (const r of s.relocs) writeRela(rela, r.offset, newIndex[r.symbol], r.type, r.addend);
      // sh_info: the header index of the section just pushed (index 0 is the null header).
      add({ name: '.rela' + s.name, type: SHT_RELA, flags: SHF_INFO_LINK, data: rela.result(), link: symtabIdx, info: secs.length, align: 8, entsize: RELA_SIZE });
    }
  }
  add({ name: '.symtab', type: SHT_SYMTAB, flags: 0, data: symtab.result(), link: strtabIdx, info: locals.length + 1, align: 8, entsize: SYM_SIZE });
  add({ name: '.strtab', type: SHT_STRTAB, flags: 0, data: strtab.bytes(), link: 0, info: 0, align: 1, entsize: 0 });
  const shstr = new StringTable();
  const names = [...secs.map((h) => shstr.add(h.name)), shstr.add('.shstrtab')];
  add({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, data: shstr.bytes(), link: 0, info: 0, align: 1, entsize: 0 });

  const w = new ByteWriter();
  w.padTo(EHDR_SIZE); // the header goes in last, when shoff is known
  const offsets = secs.map((h) => {
    w.align(h.align);
    const offset = w.length;
    w.bytes(h.data);
    return offset;
  });
  w.align(8);
  const shoff = w.length;
  w.padTo(shoff + SHDR_SIZE); // the null section header
  secs.forEach((h, i) => {
    writeShdr(w, { name: names[i], type: h.type, flags: h.flags, addr: 0n, offset: offsets[i], size: h.size, link: h.link, info: h.info, addralign: h.align, entsize: h.entsize });
  });

  const head = new ByteWriter();
  // .shstrtab is the last section: its header index is secs.length (after the null header).
  writeEhdr(head, { type: ET_REL, entry: 0n, phoff: 0, shoff, phnum: 0, shnum: secs.length + 1, shstrndx: secs.length });
  const out = w.result();
  out.set(head.result(), 0);
  return out;
}

/** The object model's symbol as an ELF one; section symbols go unnamed, as GNU as writes them. */
function elfSymbol(s: ObjSymbol, strtab: StringTable, shndx: number[]): Sym {
  return {
    name: s.type === 'section' ? 0 : strtab.add(s.name),
    bind: BIND_CODES[s.binding],
    type: TYPE_CODES[s.type],
    shndx: s.section === 'undef' ? SHN_UNDEF : s.section === 'abs' ? SHN_ABS : shndx[s.section],
    value: s.value,
    size: s.size,
  };
}
