// ELF64 constants and the little pieces every ELF writer and reader needs: a growable
// little-endian byte buffer, string tables, and writers for the fixed-size records (file header,
// section header, program header, symbol, RELA entry). Names follow <elf.h> so that the code reads
// like the specification (System V gABI, and the x86-64 psABI for the machine-specific parts).

// e_ident
export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ELFOSABI_SYSV = 0;

// e_type, e_machine
export const ET_REL = 1;
export const ET_EXEC = 2;
export const EM_X86_64 = 62;

// Record sizes (ELF64).
export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
export const SHDR_SIZE = 64;
export const SYM_SIZE = 24;
export const RELA_SIZE = 24;

// Section types (SHT_PROGBITS and SHT_NOBITS live in object.ts, re-exported here for convenience).
export { SHT_PROGBITS, SHT_NOBITS } from './object.js';
export const SHT_NULL = 0;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_X86_64_UNWIND = 0x70000001;

// Section flags beyond the ones in object.ts.
export const SHF_INFO_LINK = 0x40;
export const SHF_GROUP = 0x200;

// Special section indices.
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

// Symbol binding (high nibble of st_info) and type (low nibble).
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STV_DEFAULT = 0;

// Program header types and flags.
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

/** A growable little-endian byte buffer; offsets are plain numbers (files stay far below 2^53). */
export class ByteWriter {
  private buf = new Uint8Array(256); // one per call frame description too: most stay small
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v & 0xff;
  }
  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }
  u64(v: bigint | number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** Pads with zeros up to an absolute offset (which must not be behind the current end). */
  padTo(offset: number): void {
    if (offset < this.length) throw new Error(`ByteWriter.padTo(${offset}) behind end ${this.length}`);
    this.reserve(offset - this.length);
    this.buf.fill(0, this.length, offset);
    this.length = offset;
  }
  align(a: number): void {
    this.padTo(alignUp(this.length, a));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function alignUp(n: number, a: number): number {
  return a <= 1 ? n : Math.ceil(n / a) * a;
}

export function alignUpBig(n: bigint, a: bigint): bigint {
  return a <= 1n ? n : ((n + a - 1n) / a) * a;
}

/** An ELF string table: NUL-separated names, index 0 is the empty string; equal names share. */
export class StringTable {
  private parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private index = new Map<string, number>([['', 0]]);

  add(name: string): number {
    const known = this.index.get(name);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(name + '\0');
    const off = this.size;
    this.parts.push(bytes);
    this.size += bytes.length;
    this.index.set(name, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Reads the NUL-terminated string at `off` of a string table. */
export function readCString(bytes: Uint8Array, off: number): string {
  let end = off;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(off, end));
}

export interface Ehdr {
  type: number;
  entry: bigint;
  phoff: number;
  shoff: number;
  phnum: number;
  shnum: number;
  shstrndx: number;
}

export function writeEhdr(w: ByteWriter, h: Ehdr): void {
  for (const b of ELFMAG) w.u8(b);
  w.u8(ELFCLASS64);
  w.u8(ELFDATA2LSB);
  w.u8(EV_CURRENT);
  w.u8(ELFOSABI_SYSV);
  w.padTo(w.length + 8); // EI_ABIVERSION and padding up to EI_NIDENT (16)
  w.u16(h.type);
  w.u16(EM_X86_64);
  w.u32(EV_CURRENT);
  w.u64(h.entry);
  w.u64(h.phoff);
  w.u64(h.shoff);
  w.u32(0); // e_flags
  w.u16(EHDR_SIZE);
  w.u16(h.phnum ? PHDR_SIZE : 0);
  w.u16(h.phnum);
  w.u16(SHDR_SIZE);
  w.u16(h.shnum);
  w.u16(h.shstrndx);
}

export interface Phdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  align: number;
}

export function writePhdr(w: ByteWriter, p: Phdr): void {
  w.u32(p.type);
  w.u32(p.flags);
  w.u64(p.offset);
  w.u64(p.vaddr);
  w.u64(p.paddr);
  w.u64(p.filesz);
  w.u64(p.memsz);
  w.u64(p.align);
}

export interface Shdr {
  name: number; // offset in .shstrtab
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export function writeShdr(w: ByteWriter, s: Shdr): void {
  w.u32(s.name);
  w.u32(s.type);
  w.u64(s.flags);
  w.u64(s.addr);
  w.u64(s.offset);
  w.u64(s.size);
  w.u32(s.link);
  w.u32(s.info);
  w.u64(s.addralign);
  w.u64(s.entsize);
}

export interface Sym {
  name: number; // offset in .strtab
  bind: number;
  type: number;
  shndx: number;
  value: bigint;
  size: number;
}

export function writeSym(w: ByteWriter, s: Sym): void {
  w.u32(s.name);
  w.u8((s.bind << 4) | (s.type & 0xf));
  w.u8(STV_DEFAULT);
  w.u16(s.shndx);
  w.u64(s.value);
  w.u64(s.size);
}

export function writeRela(w: ByteWriter, offset: number, symbol: number, type: number, addend: bigint): void {
  w.u64(offset);
  w.u64((BigInt(symbol) << 32n) | BigInt(type));
  w.u64(addend);
}

// Symbol binding/type names of the object model <-> ELF numbers.
export const BIND_CODES = { local: STB_LOCAL, global: STB_GLOBAL, weak: STB_WEAK } as const;
export const TYPE_CODES = {
  notype: STT_NOTYPE,
  object: STT_OBJECT,
  func: STT_FUNC,
  section: STT_SECTION,
  file: STT_FILE,
} as const;
