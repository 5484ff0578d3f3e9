// The one object model shared by the compiler's code generator, the `.S` reader and the linker.
//
// It mirrors an ELF64 relocatable object closely enough that reading a gcc `.o` into it, or writing
// one out of it, is a direct translation: sections hold bytes and relocations, symbols name places
// in sections, relocations name symbols by index. Everything positional carries a source location
// so that a later DWARF writer can map machine code back to TypeScript lines.

/** A position in a source file (1-based line and column), carried from the AST to the bytes. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

// ELF section flags (SHF_*), used as-is so that the ELF writers need no translation.
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;

// ELF section types (SHT_*) that an object section can have.
export const SHT_PROGBITS = 1;
export const SHT_NOBITS = 8;

// x86-64 relocation types (R_X86_64_*), as numbered in the psABI.
export const R_X86_64_NONE = 0;
export const R_X86_64_64 = 1;
export const R_X86_64_PC32 = 2;
export const R_X86_64_PLT32 = 4;
export const R_X86_64_GOTPCREL = 9;
export const R_X86_64_32 = 10;
export const R_X86_64_32S = 11;
export const R_X86_64_16 = 12;
export const R_X86_64_PC16 = 13;
export const R_X86_64_8 = 14;
export const R_X86_64_PC8 = 15;
export const R_X86_64_PC64 = 24;
export const R_X86_64_GOTPCRELX = 41;
export const R_X86_64_REX_GOTPCRELX = 42;

export const RELOC_NAMES: Record<number, string> = {
  [R_X86_64_NONE]: 'R_X86_64_NONE',
  [R_X86_64_64]: 'R_X86_64_64',
  [R_X86_64_PC32]: 'R_X86_64_PC32',
  [R_X86_64_PLT32]: 'R_X86_64_PLT32',
  [R_X86_64_32]: 'R_X86_64_32',
  [R_X86_64_32S]: 'R_X86_64_32S',
  [R_X86_64_16]: 'R_X86_64_16',
  [R_X86_64_PC16]: 'R_X86_64_PC16',
  [R_X86_64_8]: 'R_X86_64_8',
  [R_X86_64_PC8]: 'R_X86_64_PC8',
  [R_X86_64_PC64]: 'R_X86_64_PC64',
  [R_X86_64_GOTPCREL]: 'R_X86_64_GOTPCREL',
  [R_X86_64_GOTPCRELX]: 'R_X86_64_GOTPCRELX',
  [R_X86_64_REX_GOTPCRELX]: 'R_X86_64_REX_GOTPCRELX',
};

/** A place in a section whose bytes the linker fills in once addresses are known. */
export interface Relocation {
  offset: number; // byte offset in the section
  type: number; // R_X86_64_*
  symbol: number; // index into ObjectFile.symbols
  addend: bigint; // RELA addend
  loc?: SourceLoc; // where the reference was written, for link errors
}

/** Maps a byte offset in a section to the source position of the code there. */
export interface LineEntry {
  offset: number;
  loc: SourceLoc;
}

/** A type as debug information describes it (the front end's types, by shape). */
export type DebugType =
  | { kind: 'base'; name: string; size: number; encoding: 'signed' | 'unsigned' | 'boolean' | 'char' }
  | { kind: 'pointer'; to: DebugType | undefined } // undefined: void *
  | { kind: 'struct'; name: string; size: number; members: { name: string; offset: number; type: DebugType }[] }
  | { kind: 'array'; of: DebugType; count: number };

/** Where a variable is: a DWARF register number, an offset from the frame base (rbp), a constant. */
export type VarPlace = { reg: number } | { fbreg: number } | { value: bigint };

/**
 * A function's variable from `offset` on: at `place`, or nowhere when place is absent. The first
 * entry of a (func, id) pair declares the variable; a later one changes where it is.
 */
export interface VarEntry {
  offset: number;
  func: string; // the function symbol
  id: number; // the variable, within the function
  name: string;
  param: boolean;
  type?: DebugType;
  place?: VarPlace;
}

/**
 * A function's call frame from `offset` on (DWARF register numbers): the CFA is `cfa.reg` +
 * `cfa.offset`, and each of `saved` is stored at CFA + its offset (the return address is always at
 * CFA - 8). Every register not listed holds the caller's value. The first entry of a function
 * follows its first instruction; before it the frame is the one a call leaves (CFA = rsp + 8).
 */
export interface FrameEntry {
  offset: number;
  func: string; // the function symbol
  cfa: { reg: number; offset: number };
  saved: { reg: number; offset: number }[];
}

export interface Section {
  name: string; // ".text", ".rodata.str", ".multiboot", ...
  type: number; // SHT_PROGBITS or SHT_NOBITS
  flags: number; // SHF_* bits
  align: number; // power of two, >= 1
  data: Uint8Array; // contents; empty for SHT_NOBITS
  size: number; // == data.length for PROGBITS; the reserved size for NOBITS
  relocs: Relocation[];
  lines: LineEntry[]; // sorted by offset; may be empty
  vars?: VarEntry[]; // in offset order, from the code generator's debugvar items
  frames?: FrameEntry[]; // in offset order, from the code generator's cfi items
}

export type SymbolBinding = 'local' | 'global' | 'weak';
export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file';

/** Where a symbol lives: an index into ObjectFile.sections, 'abs' for a constant, 'undef' if elsewhere. */
export type SymbolSection = number | 'abs' | 'undef';

export interface ObjSymbol {
  name: string; // empty for section symbols
  section: SymbolSection;
  value: bigint; // offset within the section, or the value of an absolute symbol
  size: number;
  binding: SymbolBinding;
  type: SymbolType;
  loc?: SourceLoc; // where it was defined (or first referenced, if undefined)
}

export interface ObjectFile {
  name: string; // the source file it came from, for diagnostics
  sections: Section[];
  symbols: ObjSymbol[];
}

export function newSection(name: string, type: number, flags: number, align = 1): Section {
  return { name, type, flags, align, data: new Uint8Array(0), size: 0, relocs: [], lines: [] };
}

/** The conventional flags for a section name, as GNU as assigns them when none are given. */
export function defaultSectionFlags(name: string): { type: number; flags: number } {
  const base = name.split('.').filter(Boolean)[0] ?? '';
  switch (base) {
    case 'text':
      return { type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR };
    case 'data':
      return { type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE };
    case 'bss':
      return { type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE };
    case 'rodata':
      return { type: SHT_PROGBITS, flags: SHF_ALLOC };
    default:
      return { type: SHT_PROGBITS, flags: 0 };
  }
}
