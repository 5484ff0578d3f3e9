// ObjectFile -> ELF64 relocatable object (`.o`) bytes, readable by GNU readelf, objdump and ld.
//
// Layout: ELF header, then each section's contents (aligned), then the section header table.
// Sections are the object's own, each followed by its `.rela` section when it has relocations,
// then `.symtab`, `.strtab`, `.shstrtab`. Local symbols come first in the symbol table, as ELF
// requires; relocations are renumbered to match.

import { SHT_NOBITS, type ObjectFile, type ObjSymbol } from './object.js';

const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_RELA = 4;
const SHF_INFO_LINK = 0x40;
const SHN_ABS = 0xfff1;
const EM_X86_64 = 62;
const ET_REL = 1;

const BIND = { local: 0, global: 1, weak: 2 } as const;
const TYPE = { notype: 0, object: 1, func: 2, section: 3, file: 4 } as const;

/** Little-endian byte buffer that grows as it is written. */
class Buf {
  bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u16(v: number): void {
    this.int(BigInt(v), 2);
  }
  u32(v: number): void {
    this.int(BigInt(v), 4);
  }
  u64(v: bigint | number): void {
    this.int(BigInt(v), 8);
  }
  int(v: bigint, n: number): void {
    const u = BigInt.asUintN(n * 8, v);
    for (let i = 0; i < n; i++) this.bytes.push(Number((u >> BigInt(8 * i)) & 0xffn));
  }
  align(a: number): void {
    while (this.bytes.length % a) this.bytes.push(0);
  }
  put(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]);
  }
}

/** A string table: NUL-separated names, offset 0 is the empty name. */
class StrTab {
  buf = new Buf();
  map = new Map<string, number>();
  constructor() {
    this.buf.u8(0);
    this.map.set('', 0);
  }
  add(s: string): number {
    let off = this.map.get(s);
    if (off === undefined) {
      off = this.buf.length;
      this.buf.put(new TextEncoder().encode(s));
      this.buf.u8(0);
      this.map.set(s, off);
    }
    return off;
  }
}

interface Shdr {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array | number[];
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
  const shstrtabIdx = next + 2;

  // Symbols: null, locals (section symbols first), then globals.
  const order = obj.symbols.map((s, i) => ({ s, i }));
  const locals = order.filter((e) => e.s.binding === 'local');
  locals.sort((a, b) => Number(b.s.type === 'section') - Number(a.s.type === 'section') || a.i - b.i);
  const globals = order.filter((e) => e.s.binding !== 'local');
  const newIndex: number[] = [];
  const strtab = new StrTab();
  const symtab = new Buf();
  symtab.put(new Array(24).fill(0));
  [...locals, ...globals].forEach((e, k) => {
    newIndex[e.i] = k + 1;
    writeSym(symtab, e.s, strtab, shndx);
  });

  const shdrs: Shdr[] = [];
  obj.sections.forEach((s) => {
    shdrs.push({ name: s.name, type: s.type, flags: s.flags, data: s.type === SHT_NOBITS ? [] : s.data, size: s.size, link: 0, info: 0, align: s.align, entsize: 0 });
    if (s.relocs.length) {
      const rela = new Buf();
      for (const r of s.relocs) {
        rela.u64(r.offset);
        rela.u64((BigInt(newIndex[r.symbol]) << 32n) | BigInt(r.type));
        rela.int(r.addend, 8);
      }
      shdrs.push({ name: '.rela' + s.name, type: SHT_RELA, flags: SHF_INFO_LINK, data: rela.bytes, size: rela.length, link: symtabIdx, info: shdrs.length, align: 8, entsize: 24 });
    }
  });
  shdrs.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0, data: symtab.bytes, size: symtab.length, link: strtabIdx, info: locals.length + 1, align: 8, entsize: 24 });
  shdrs.push({ name: '.strtab', type: SHT_STRTAB, flags: 0, data: strtab.buf.bytes, size: strtab.buf.length, link: 0, info: 0, align: 1, entsize: 0 });
  const shstr = new StrTab();
  for (const h of shdrs) shstr.add(h.name);
  shstr.add('.shstrtab');
  shdrs.push({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, data: shstr.buf.bytes, size: shstr.buf.length, link: 0, info: 0, align: 1, entsize: 0 });
  void shstrtabIdx;

  const out = new Buf();
  out.put(new Array(64).fill(0)); // header, filled in below
  const offsets: number[] = [];
  for (const h of shdrs) {
    out.align(Math.max(1, h.align));
    offsets.push(out.length);
    out.put(h.data);
  }
  out.align(8);
  const shoff = out.length;
  out.put(new Array(64).fill(0)); // null section header
  shdrs.forEach((h, i) => {
    out.u32(shstr.add(h.name));
    out.u32(h.type);
    out.u64(h.flags);
    out.u64(0); // sh_addr
    out.u64(offsets[i]);
    out.u64(h.size);
    out.u32(h.link);
    out.u32(h.info);
    out.u64(h.align);
    out.u64(h.entsize);
  });

  const hdr = new Buf();
  hdr.put([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELF, 64-bit, little-endian, version 1, SysV
  hdr.put(new Array(8).fill(0));
  hdr.u16(ET_REL);
  hdr.u16(EM_X86_64);
  hdr.u32(1);
  hdr.u64(0); // e_entry
  hdr.u64(0); // e_phoff
  hdr.u64(shoff);
  hdr.u32(0); // e_flags
  hdr.u16(64); // e_ehsize
  hdr.u16(0); // e_phentsize
  hdr.u16(0); // e_phnum
  hdr.u16(64); // e_shentsize
  hdr.u16(shdrs.length + 1);
  hdr.u16(shdrs.length); // e_shstrndx: .shstrtab is last
  out.bytes.splice(0, 64, ...hdr.bytes);
  return Uint8Array.from(out.bytes);
}

function writeSym(b: Buf, s: ObjSymbol, strtab: StrTab, shndx: number[]): void {
  b.u32(s.type === 'section' ? 0 : strtab.add(s.name));
  b.u8((BIND[s.binding] << 4) | TYPE[s.type]);
  b.u8(0); // st_other: default visibility
  b.u16(s.section === 'undef' ? 0 : s.section === 'abs' ? SHN_ABS : shndx[s.section]);
  b.u64(s.value);
  b.u64(s.size);
}
