// Writes a linked program as an ELF64 executable (ET_EXEC).
//
// File layout:
//   ELF header, program headers               (below LinkResult.imageOffset, one page)
//   the memory image, by physical address     (file offset = LMA - lowest LMA + imageOffset, so
//                                              offsets are congruent to addresses modulo the page
//                                              size and the multiboot loader can copy it as is)
//   .debug_* (DWARF from dwarf.ts; not allocated, so no segment loads them)
//   .symtab, .strtab, .shstrtab, section headers
// Section symbols are not written; each object's locals follow an STT_FILE symbol naming it, so a
// debugger can tell apart equal local names from different files.

import { basename } from 'node:path';
import { SHT_NOBITS, SHT_PROGBITS } from './object.js';
import {
  BIND_CODES, ByteWriter, EHDR_SIZE, ET_EXEC, PF_R, PF_W, PHDR_SIZE, PT_GNU_STACK, PT_LOAD, SHDR_SIZE, SHN_ABS,
  SHT_NULL, SHT_STRTAB, SHT_SYMTAB, STB_LOCAL, STT_FILE, StringTable, SYM_SIZE, TYPE_CODES, writeEhdr, writePhdr,
  writeShdr, writeSym, type Phdr, type Shdr, type Sym,
} from './elf.js';
import type { LinkedSymbol, LinkResult } from './link.js';
import { debugSections } from './dwarf.js';

export function writeExecutable(result: LinkResult): Uint8Array {
  const { sections, segments, layout } = result;
  const w = new ByteWriter();

  // Program headers: the loadable segments, then PT_GNU_STACK (a non-executable stack for Linux).
  const phdrs: Phdr[] = segments.map((s) => ({
    type: PT_LOAD,
    flags: s.flags,
    offset: s.offset,
    vaddr: s.vaddr,
    paddr: s.paddr,
    filesz: s.filesz,
    memsz: s.memsz,
    align: layout.pageSize,
  }));
  phdrs.push({ type: PT_GNU_STACK, flags: PF_R | PF_W, offset: 0, vaddr: 0n, paddr: 0n, filesz: 0, memsz: 0, align: 16 });
  if (EHDR_SIZE + phdrs.length * PHDR_SIZE > result.imageOffset) throw new Error('exec: program headers do not fit below the image');

  // The image: every section with contents at its file offset; gaps (alignment padding, NOBITS
  // sections between loaded ones) are zeros. Empty sections count too: BFD (gdb, objdump) warns
  // about a section header whose offset lies past the end of the file.
  w.padTo(result.imageOffset);
  const withBytes = sections.filter((s) => s.type !== SHT_NOBITS).sort((a, b) => a.fileOffset - b.fileOffset);
  for (const s of withBytes) {
    w.padTo(s.fileOffset);
    w.bytes(s.data);
  }

  // Debug sections right after the image.
  const debug = debugSections(result).map((d) => {
    const offset = w.length;
    w.bytes(d.data);
    return { ...d, offset };
  });

  // Symbol table: null, then per object an STT_FILE and its locals, then all globals.
  const strtab = new StringTable();
  const syms: Sym[] = [{ name: 0, bind: STB_LOCAL, type: 0, shndx: 0, value: 0n, size: 0 }];
  const toSym = (s: LinkedSymbol): Sym => ({
    name: strtab.add(s.name),
    bind: BIND_CODES[s.binding],
    type: TYPE_CODES[s.type],
    shndx: s.section === 'abs' ? SHN_ABS : s.section + 1,
    value: s.value,
    size: s.size,
  });
  const locals = result.symbols.filter((s) => s.binding === 'local');
  for (const obj of [...new Set(locals.map((s) => s.object))]) {
    syms.push({ name: strtab.add(basename(obj)), bind: STB_LOCAL, type: STT_FILE, shndx: SHN_ABS, value: 0n, size: 0 });
    for (const s of locals) if (s.object === obj) syms.push(toSym(s));
  }
  const firstGlobal = syms.length;
  for (const s of result.symbols) if (s.binding !== 'local') syms.push(toSym(s));

  w.align(8);
  const symtabOffset = w.length;
  for (const s of syms) writeSym(w, s);
  const strtabOffset = w.length;
  const strBytes = strtab.bytes();
  w.bytes(strBytes);

  // Section headers: null, the output sections (index = output index + 1), .debug_*, .symtab, .strtab, .shstrtab.
  const shstr = new StringTable();
  const shdrs: Shdr[] = [{ name: 0, type: SHT_NULL, flags: 0, addr: 0n, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0 }];
  for (const s of sections) {
    shdrs.push({ name: shstr.add(s.name), type: s.type, flags: s.flags, addr: s.vma, offset: s.fileOffset, size: s.size, link: 0, info: 0, addralign: s.align, entsize: 0 });
  }
  for (const d of debug) {
    shdrs.push({ name: shstr.add(d.name), type: SHT_PROGBITS, flags: 0, addr: 0n, offset: d.offset, size: d.data.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  }
  const strtabIndex = shdrs.length + 1;
  shdrs.push({ name: shstr.add('.symtab'), type: SHT_SYMTAB, flags: 0, addr: 0n, offset: symtabOffset, size: syms.length * SYM_SIZE, link: strtabIndex, info: firstGlobal, addralign: 8, entsize: SYM_SIZE });
  shdrs.push({ name: shstr.add('.strtab'), type: SHT_STRTAB, flags: 0, addr: 0n, offset: strtabOffset, size: strBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  const shstrIndex = shdrs.length;
  const shstrName = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();
  const shstrOffset = w.length;
  w.bytes(shstrBytes);
  shdrs.push({ name: shstrName, type: SHT_STRTAB, flags: 0, addr: 0n, offset: shstrOffset, size: shstrBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 });

  w.align(8);
  const shoff = w.length;
  for (const s of shdrs) writeShdr(w, s);

  // Headers last, now that every offset is known.
  const head = new ByteWriter();
  writeEhdr(head, { type: ET_EXEC, entry: result.entry, phoff: EHDR_SIZE, shoff, phnum: phdrs.length, shnum: shdrs.length, shstrndx: shstrIndex });
  for (const p of phdrs) writePhdr(head, p);
  const out = w.result();
  out.set(head.result(), 0);
  if (out.length < shoff + shdrs.length * SHDR_SIZE) throw new Error('exec: file shorter than its section headers');
  return out;
}
