// Reads an ELF64 relocatable object (`.o` from GNU as, gcc, or our own assembler) into the object
// model. It is a direct translation: ELF section i becomes a model section (except the tables that
// the model represents structurally: symbol and string tables, relocation sections, groups), ELF
// symbol i becomes model symbol i-1 (the null symbol is dropped), and each `.rela.X` becomes the
// relocation list of X. Sections the linker will not place (.comment, notes, debug info) are kept:
// the layout decides what to discard.

import { fail } from './diag.js';
import type { ObjectFile, ObjSymbol, Relocation, Section, SymbolBinding, SymbolType } from './object.js';
import { SHT_NOBITS } from './object.js';
import {
  ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_X86_64, ET_REL, SHDR_SIZE, SHN_ABS, SHN_COMMON, SHN_LORESERVE,
  SHN_UNDEF, SHN_XINDEX, SHT_GROUP, SHT_NULL, SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB,
  SHT_SYMTAB_SHNDX, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FILE, STT_FUNC, STT_NOTYPE, STT_OBJECT,
  STT_SECTION, SYM_SIZE, RELA_SIZE, readCString,
} from './elf.js';

// Error code for a file that is not a usable x86-64 ELF relocatable object.
const BAD_OBJECT = 'LNK0011';

const BINDINGS: Record<number, SymbolBinding> = { [STB_LOCAL]: 'local', [STB_GLOBAL]: 'global', [STB_WEAK]: 'weak' };
const TYPES: Record<number, SymbolType> = {
  [STT_NOTYPE]: 'notype',
  [STT_OBJECT]: 'object',
  [STT_FUNC]: 'func',
  [STT_SECTION]: 'section',
  [STT_FILE]: 'file',
};

// Section types that are tables about other sections, not contents.
const STRUCTURAL = new Set([SHT_NULL, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_REL, SHT_GROUP, SHT_SYMTAB_SHNDX]);

interface RawSection {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

export function readObject(bytes: Uint8Array, name: string): ObjectFile {
  const bad = (why: string): never => fail(BAD_OBJECT, `${name}: ${why}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 64 || !ELFMAG.every((b, i) => bytes[i] === b)) bad('not an ELF file');
  if (bytes[4] !== ELFCLASS64 || bytes[5] !== ELFDATA2LSB) bad('not a little-endian ELF64 file');
  if (view.getUint16(16, true) !== ET_REL) bad('not a relocatable object (ET_REL)');
  if (view.getUint16(18, true) !== EM_X86_64) bad('not an x86-64 object');

  const num = (off: number): number => {
    const v = view.getBigUint64(off, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad(`field at offset ${off} out of range`);
    return Number(v);
  };
  const shoff = num(40);
  const shnum = view.getUint16(60, true);
  const shstrndx = view.getUint16(62, true);
  if (shoff + shnum * SHDR_SIZE > bytes.length) bad('section header table past end of file');

  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * SHDR_SIZE;
    raw.push({
      name: '',
      type: view.getUint32(o + 4, true),
      flags: num(o + 8),
      offset: num(o + 24),
      size: num(o + 32),
      link: view.getUint32(o + 40, true),
      info: view.getUint32(o + 44, true),
      align: num(o + 48),
      entsize: num(o + 56),
    });
    const r = raw[i];
    if (r.type !== SHT_NOBITS && r.type !== SHT_NULL && r.offset + r.size > bytes.length) {
      bad(`section ${i} past end of file`);
    }
  }
  const contents = (r: RawSection): Uint8Array => bytes.subarray(r.offset, r.offset + r.size);
  if (shstrndx >= shnum) bad('bad section name table index');
  const shstr = contents(raw[shstrndx]);
  raw.forEach((r, i) => (r.name = readCString(shstr, view.getUint32(shoff + i * SHDR_SIZE, true))));

  // Content sections, and the map from ELF section index to model section index.
  const sections: Section[] = [];
  const secMap = new Map<number, number>();
  raw.forEach((r, i) => {
    if (STRUCTURAL.has(r.type)) return;
    const nobits = r.type === SHT_NOBITS;
    secMap.set(i, sections.length);
    sections.push({
      name: r.name,
      type: r.type,
      flags: r.flags,
      align: Math.max(1, r.align),
      data: nobits ? new Uint8Array(0) : contents(r).slice(),
      size: r.size,
      relocs: [],
      lines: [],
    });
  });

  const symtabIndex = raw.findIndex((r) => r.type === SHT_SYMTAB);
  const symbols = symtabIndex < 0 ? [] : readSymbols(raw, symtabIndex, contents, view, secMap, bad);
  raw.forEach((r) => {
    if (r.type === SHT_REL) bad(`REL section ${r.name}: x86-64 objects use RELA`);
    if (r.type !== SHT_RELA) return;
    const target = secMap.get(r.info);
    if (target === undefined) return; // relocations for a section the model does not keep
    sections[target].relocs = readRelocs(r, view, symbols, bad);
  });
  return { name, sections, symbols };
}

function readSymbols(
  raw: RawSection[],
  symtabIndex: number,
  contents: (r: RawSection) => Uint8Array,
  view: DataView,
  secMap: Map<number, number>,
  bad: (why: string) => never,
): ObjSymbol[] {
  const st = raw[symtabIndex];
  const strtab = contents(raw[st.link]);
  const out: ObjSymbol[] = [];
  for (let i = 1; i < st.size / SYM_SIZE; i++) {
    const o = st.offset + i * SYM_SIZE;
    const info = view.getUint8(o + 4);
    const shndx = view.getUint16(o + 6, true);
    const type = TYPES[info & 0xf] ?? 'notype';
    const name = type === 'section' ? '' : readCString(strtab, view.getUint32(o, true));
    const binding = BINDINGS[info >> 4];
    if (!binding) bad(`symbol ${name}: unsupported binding ${info >> 4}`);
    let section: ObjSymbol['section'];
    if (shndx === SHN_UNDEF) section = 'undef';
    else if (shndx === SHN_ABS) section = 'abs';
    else if (shndx === SHN_COMMON) bad(`common symbol ${name}: compile with -fno-common`);
    else if (shndx === SHN_XINDEX || shndx >= SHN_LORESERVE) bad(`symbol ${name}: unsupported section index ${shndx}`);
    else {
      const mapped = secMap.get(shndx);
      if (mapped === undefined) bad(`symbol ${name} defined in a non-content section ${shndx}`);
      section = mapped;
    }
    out.push({
      name,
      section: section!,
      value: view.getBigUint64(o + 8, true),
      size: Number(view.getBigUint64(o + 16, true)),
      binding,
      type,
    });
  }
  return out;
}

function readRelocs(r: RawSection, view: DataView, symbols: ObjSymbol[], bad: (why: string) => never): Relocation[] {
  const out: Relocation[] = [];
  for (let o = r.offset; o < r.offset + r.size; o += RELA_SIZE) {
    const info = view.getBigUint64(o + 8, true);
    const elfSym = Number(info >> 32n);
    let symbol = elfSym - 1;
    if (elfSym === 0) {
      // A relocation against "no symbol" means S = 0: give it an absolute zero symbol.
      symbol = symbols.findIndex((s) => s.section === 'abs' && s.value === 0n && s.name === '');
      if (symbol < 0) symbol = symbols.push({ name: '', section: 'abs', value: 0n, size: 0, binding: 'local', type: 'notype' }) - 1;
    } else if (symbol >= symbols.length) bad(`relocation in ${r.name} names symbol ${elfSym}, past the symbol table`);
    out.push({
      offset: Number(view.getBigUint64(o, true)),
      type: Number(info & 0xffffffffn),
      symbol,
      addend: view.getBigInt64(o + 16, true),
    });
  }
  return out;
}
