// The linker proper: objects + layout -> output sections with addresses, resolved symbols, applied
// relocations. Writing the file is exec.ts's job; this file only decides where everything goes.
//
// Phases, in order (each a function below):
//   1. assign   every input section to an output section by the layout's patterns (or discard it)
//   2. resolve  global symbols: one definition per name (a strong one beats weak ones)
//   3. address  output sections: physical address (LMA) from phys_base upwards, virtual address
//               (VMA) = LMA + virt_base for `virtual` sections; file offset follows the LMA
//   4. relocate every placed input section, with overflow checks
//   5. fill     the generated sections (.ksymtab, .multiboot) and group sections into segments
//
// Error codes:
//   LNK0001 undefined symbol          LNK0002 duplicate symbol       LNK0003 relocation overflow
//   LNK0004 overlapping sections      LNK0005 entry symbol missing   LNK0006 section not in layout
//   LNK0007 reference to a discarded section                        LNK0008 unsupported relocation
//   LNK0009 multiboot constraints     LNK0010 layout file            LNK0011 bad object file
//   LNK0012 relocation outside its section                          LNK0013 address space overflow
//   LNK0014 command line / file errors

import { relative } from 'node:path';
import { DiagnosticBag, fail, type Diagnostic } from './diag.js';
import {
  R_X86_64_16, R_X86_64_32, R_X86_64_32S, R_X86_64_64, R_X86_64_8, R_X86_64_NONE, R_X86_64_PC16, R_X86_64_PC32,
  R_X86_64_PC64, R_X86_64_PC8, R_X86_64_PLT32, RELOC_NAMES, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS,
  SHT_PROGBITS, type ObjectFile, type ObjSymbol, type Relocation, type SourceLoc, type SymbolBinding, type SymbolType,
} from './object.js';
import { alignUp, alignUpBig, EHDR_SIZE, PF_R, PF_W, PF_X, PHDR_SIZE } from './elf.js';
import type { Layout } from './layout.js';
import { fillMultiboot, multibootSection } from './multiboot.js';
import { fillKsymtab, isKsym, ksymtabSection, type KsymEntry } from './ksymtab.js';

export const LINKER_OBJECT = '<linker>';
const MAX_IMAGE = 1n << 30n; // a file spanning more than 1 GiB of physical addresses is a layout mistake
const TOP = 1n << 64n;

/** Where an input section went: output section index and offset inside it. */
export interface Piece {
  object: number;
  section: number;
  out: number;
  offset: number;
}

export interface OutputSection {
  name: string;
  type: number; // SHT_PROGBITS, or SHT_NOBITS when every input is NOBITS
  flags: number; // union of the inputs' SHF_ALLOC/WRITE/EXECINSTR
  align: number;
  virtual: boolean;
  lma: bigint; // physical (load) address
  vma: bigint; // virtual (run) address
  size: number;
  fileOffset: number;
  data: Uint8Array; // `size` bytes for PROGBITS, empty for NOBITS
  pieces: Piece[];
}

/** A PT_LOAD segment: consecutive output sections with the same permissions and VMA-LMA delta. */
export interface Segment {
  sections: number[];
  flags: number; // PF_*
  vaddr: bigint;
  paddr: bigint;
  offset: number;
  filesz: number;
  memsz: number;
}

export interface LinkedSymbol {
  name: string;
  value: bigint;
  size: number;
  binding: SymbolBinding;
  type: SymbolType;
  section: number | 'abs'; // output section index
  object: string;
}

export interface LinkResult {
  layout: Layout;
  objects: ObjectFile[]; // the inputs, then the linker's own object (generated sections, symbols)
  sections: OutputSection[];
  segments: Segment[];
  symbols: LinkedSymbol[];
  entry: bigint;
  imageOffset: number; // file offset of the lowest physical address; headers fit below it
}

interface SymRef {
  object: number;
  symbol: number;
}

/** Everything the phases share. The linker's own object (generated sections and symbols) is last. */
interface Ctx {
  layout: Layout;
  objects: ObjectFile[];
  self: ObjectFile;
  place: (Piece | undefined)[][]; // place[object][section]; undefined = discarded
  globals: Map<string, SymRef>;
  sections: OutputSection[];
}

export function link(inputs: ObjectFile[], layout: Layout): LinkResult {
  const self: ObjectFile = { name: LINKER_OBJECT, sections: [], symbols: [] };
  if (layout.multiboot) self.sections.push(multibootSection());
  const objects = [...inputs, self];
  const ctx: Ctx = { layout, objects, self, place: [], globals: new Map(), sections: [] };

  const pieces = assign(ctx);
  const ksyms = layout.ksymtab.enabled ? reserveKsymtab(ctx, pieces) : [];
  resolve(ctx);
  const defined = defineLinkerSymbols(ctx);
  address(ctx, pieces);
  setLinkerSymbols(ctx, defined);

  const entryRef = ctx.globals.get(layout.entry);
  if (!entryRef) fail('LNK0005', `entry symbol ${layout.entry} is not defined`, { file: layout.file, line: 1, col: 1 });
  const entry = symbolAddress(ctx, entryRef);
  if (entry === undefined) fail('LNK0007', `entry symbol ${layout.entry} is in a discarded section`);

  copyContents(ctx);
  relocate(ctx);
  if (layout.ksymtab.enabled) fillKsymtabSection(ctx, ksyms);
  if (layout.multiboot) writeMultiboot(ctx, entryRef, entry);
  const { sections } = ctx;
  return {
    layout,
    objects,
    sections,
    segments: segmentsOf(sections),
    symbols: symbolList(ctx),
    entry,
    imageOffset: Math.min(...sections.map((s) => s.fileOffset)),
  };
}

// ---- 1. assign input sections to output sections ----

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** Fills ctx.place; returns the pieces of each output section in order: by pattern, then object. */
function assign(ctx: Ctx): Piece[][] {
  const { objects, layout } = ctx;
  ctx.place = objects.map((o) => o.sections.map(() => undefined));
  const done = objects.map((o) => o.sections.map(() => false));
  const discard = layout.discard.map(globToRegExp);
  objects.forEach((o, oi) =>
    o.sections.forEach((s, si) => {
      if (discard.some((re) => re.test(s.name))) done[oi][si] = true;
    }),
  );
  // Patterns in layout order; inputs in command-line order for each pattern (like ld).
  const pieces = layout.sections.map((spec, out) => {
    const list: Piece[] = [];
    for (const re of spec.inputs.map(globToRegExp)) {
      objects.forEach((o, oi) =>
        o.sections.forEach((s, si) => {
          if (done[oi][si] || !re.test(s.name)) return;
          done[oi][si] = true;
          list.push((ctx.place[oi][si] = { object: oi, section: si, out, offset: 0 }));
        }),
      );
    }
    return list;
  });
  const bag = new DiagnosticBag();
  objects.forEach((o, oi) =>
    o.sections.forEach((s, si) => {
      if (done[oi][si] || (s.flags & SHF_ALLOC) === 0) return; // non-allocated leftovers (debug, comments) are dropped
      bag.error('LNK0006', `section ${s.name} of ${o.name} is not placed by layout ${layout.file}: add it to a [[section]]'s inputs or to discard`);
    }),
  );
  bag.check();
  return pieces;
}

/** Reserves `.ksymtab` at the end of its output section; returns the symbols it will list. */
function reserveKsymtab(ctx: Ctx, pieces: Piece[][]): SymRef[] {
  const { objects, self, layout } = ctx;
  const refs: SymRef[] = [];
  objects.forEach((o, oi) =>
    o.symbols.forEach((s, si) => {
      if (typeof s.section === 'number' && ctx.place[oi][s.section] && isKsym(s, o.sections[s.section])) refs.push({ object: oi, symbol: si });
    }),
  );
  const oi = objects.length - 1;
  const out = layout.sections.findIndex((s) => s.name === layout.ksymtab.section);
  const si = self.sections.push(ksymtabSection(refs.map((r) => objects[r.object].symbols[r.symbol].name))) - 1;
  pieces[out].push((ctx.place[oi][si] = { object: oi, section: si, out, offset: 0 }));
  return refs;
}

// ---- 2. resolve global symbols ----

function describeDef(o: ObjectFile, s: ObjSymbol): string {
  const sec = typeof s.section === 'number' ? `(${o.sections[s.section].name})` : '';
  return `${o.name}${sec}`;
}

function resolve(ctx: Ctx): void {
  const { objects, globals } = ctx;
  const bag = new DiagnosticBag();
  objects.forEach((o, oi) =>
    o.symbols.forEach((s, si) => {
      if (s.binding === 'local' || s.section === 'undef') return;
      const prev = globals.get(s.name);
      if (!prev) return void globals.set(s.name, { object: oi, symbol: si });
      const p = objects[prev.object].symbols[prev.symbol];
      if (p.binding === 'weak' && s.binding !== 'weak') globals.set(s.name, { object: oi, symbol: si });
      else if (p.binding !== 'weak' && s.binding !== 'weak') {
        const where = `first defined in ${describeDef(objects[prev.object], p)}${p.loc ? ` at ${fmtLoc(p.loc)}` : ''}`;
        bag.error('LNK0002', `duplicate symbol ${s.name}: defined in ${describeDef(o, s)}, ${where}`, s.loc ?? p.loc);
      }
    }),
  );
  bag.check();
}

function fmtLoc(l: SourceLoc): string {
  return `${l.file}:${l.line}:${l.col}`;
}

// ---- linker-defined symbols ----

interface LinkerSymbol {
  index: number; // in the linker object's symbols
  form: string; // see layout.ts SYMBOL_FORMS, plus 'ksymtab_start'/'ksymtab_end'
  section?: string;
  value?: bigint;
}

/** Bare name of an output section for its bound symbols: ".text" -> "text", ".boot.data" -> "boot_data". */
function boundName(section: string): string {
  return section.replace(/^\.+/, '').replace(/[^A-Za-z0-9_]/g, '_');
}

/** Adds the linker's symbols that no object defines (a definition in an object takes precedence). */
function defineLinkerSymbols(ctx: Ctx): LinkerSymbol[] {
  const { layout, self, globals } = ctx;
  const wanted: { name: string; form: string; section?: string; value?: bigint; loc?: SourceLoc }[] = [];
  for (const s of layout.sections) {
    wanted.push({ name: `__${boundName(s.name)}_start`, form: 'start', section: s.name });
    wanted.push({ name: `__${boundName(s.name)}_end`, form: 'end', section: s.name });
  }
  if (layout.ksymtab.enabled) {
    wanted.push({ name: '__ksymtab_start', form: 'ksymtab_start' }, { name: '__ksymtab_end', form: 'ksymtab_end' });
  }
  wanted.push(...layout.symbols);
  const out: LinkerSymbol[] = [];
  for (const w of wanted) {
    if (globals.has(w.name)) continue;
    const index = self.symbols.push({ name: w.name, section: 'abs', value: 0n, size: 0, binding: 'global', type: 'notype', loc: w.loc }) - 1;
    globals.set(w.name, { object: ctx.objects.length - 1, symbol: index });
    out.push({ index, form: w.form, section: w.section, value: w.value });
  }
  return out;
}

function setLinkerSymbols(ctx: Ctx, syms: LinkerSymbol[]): void {
  const { sections, layout, self } = ctx;
  const byName = (n: string) => sections.find((s) => s.name === n)!;
  const ks = self.sections.find((s) => s.name === '.ksymtab');
  const ksOut = layout.ksymtab.enabled ? byName(layout.ksymtab.section) : undefined;
  const ksStart = ksOut && ks ? ksOut.vma + BigInt(ksOut.size - ks.size) : 0n;
  for (const ls of syms) {
    const sec = ls.section ? byName(ls.section) : undefined;
    const values: Record<string, () => bigint> = {
      phys_start: () => (sec ? sec.lma : minLma(sections)),
      phys_end: () => (sec ? sec.lma + BigInt(sec.size) : maxLmaEnd(sections)),
      virt_base: () => layout.virtBase,
      start: () => sec!.vma,
      end: () => sec!.vma + BigInt(sec!.size),
      ksymtab_start: () => ksStart,
      ksymtab_end: () => ksStart + BigInt(ks?.size ?? 0),
      abs: () => ls.value!,
    };
    self.symbols[ls.index].value = values[ls.form]();
  }
}

// ---- 3. addresses ----

function minLma(sections: OutputSection[]): bigint {
  return sections.reduce((m, s) => (s.lma < m ? s.lma : m), sections[0].lma);
}

function maxLmaEnd(sections: OutputSection[]): bigint {
  return sections.reduce((m, s) => (s.lma + BigInt(s.size) > m ? s.lma + BigInt(s.size) : m), 0n);
}

function address(ctx: Ctx, pieces: Piece[][]): void {
  const { objects, layout } = ctx;
  let cursor = layout.physBase;
  ctx.sections = layout.sections.map((spec, i) => {
    const out: OutputSection = {
      name: spec.name,
      type: SHT_PROGBITS,
      flags: SHF_ALLOC,
      align: spec.align,
      virtual: spec.virtual,
      lma: 0n,
      vma: 0n,
      size: 0,
      fileOffset: 0,
      data: new Uint8Array(0),
      pieces: pieces[i],
    };
    let nobits = out.pieces.length > 0;
    for (const p of out.pieces) {
      const s = objects[p.object].sections[p.section];
      p.offset = alignUp(out.size, s.align);
      out.size = p.offset + s.size;
      out.align = Math.max(out.align, s.align);
      out.flags |= s.flags & (SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR);
      if (s.type !== SHT_NOBITS) nobits = false;
    }
    out.type = nobits ? SHT_NOBITS : SHT_PROGBITS;
    out.lma = spec.address ?? alignUpBig(cursor, BigInt(out.align));
    if (out.lma % BigInt(out.align) !== 0n) {
      fail('LNK0013', `output section ${out.name}: address 0x${out.lma.toString(16)} is not aligned to ${out.align}`, spec.loc);
    }
    out.vma = out.virtual ? out.lma + layout.virtBase : out.lma;
    if (out.lma + BigInt(out.size) > TOP || out.vma + BigInt(out.size) > TOP) {
      fail('LNK0013', `output section ${out.name} (0x${out.vma.toString(16)}, ${out.size} bytes) runs past the end of the 64-bit address space`, spec.loc);
    }
    cursor = out.lma + BigInt(out.size);
    return out;
  });
  checkOverlaps(ctx.sections, layout);
  assignFileOffsets(ctx.sections, layout);
}

function checkOverlaps(sections: OutputSection[], layout: Layout): void {
  const bag = new DiagnosticBag();
  const used = sections.filter((s) => s.size > 0);
  const hex = (n: bigint) => '0x' + n.toString(16);
  for (const [kind, key] of [['virtual', 'vma'], ['physical', 'lma']] as const) {
    for (let i = 0; i < used.length; i++) {
      for (let j = i + 1; j < used.length; j++) {
        const a = used[i];
        const b = used[j];
        if (a[key] < b[key] + BigInt(b.size) && b[key] < a[key] + BigInt(a.size)) {
          const range = (s: OutputSection) => `${hex(s[key])}..${hex(s[key] + BigInt(s.size))}`;
          const spec = layout.sections.find((s) => s.name === b.name);
          bag.error('LNK0004', `sections ${a.name} (${range(a)}) and ${b.name} (${range(b)}) overlap in ${kind} memory`, spec?.loc);
        }
      }
    }
  }
  bag.check();
}

/** File offset = physical address - lowest physical address + room for the headers. */
function assignFileOffsets(sections: OutputSection[], layout: Layout): void {
  const low = minLma(sections);
  const span = maxLmaEnd(sections) - low;
  if (span > MAX_IMAGE) fail('LNK0013', `the image spans 0x${span.toString(16)} bytes of physical memory (over 1 GiB): check the addresses in ${layout.file}`);
  const headers = EHDR_SIZE + PHDR_SIZE * (sections.length + 1);
  const base = alignUp(headers, layout.pageSize);
  for (const s of sections) s.fileOffset = base + Number(s.lma - low);
}

// ---- 4. contents and relocation ----

function copyContents(ctx: Ctx): void {
  const { objects, sections } = ctx;
  for (const out of sections) {
    if (out.type === SHT_NOBITS) continue;
    out.data = new Uint8Array(out.size);
    for (const p of out.pieces) {
      const s = objects[p.object].sections[p.section];
      if (s.type !== SHT_NOBITS) out.data.set(s.data.subarray(0, s.size), p.offset);
    }
  }
}

/** A defined symbol's final address; undefined when it is undefined or its section was discarded. */
function symbolAddress(ctx: Ctx, r: SymRef): bigint | undefined {
  const s = ctx.objects[r.object].symbols[r.symbol];
  if (s.section === 'abs') return s.value;
  if (s.section === 'undef') return undefined;
  const p = ctx.place[r.object][s.section];
  if (!p) return undefined;
  return BigInt.asUintN(64, ctx.sections[p.out].vma + BigInt(p.offset) + s.value);
}

type Check = 'none' | 'unsigned' | 'signed' | 'bitfield';
// Width in bytes, PC-relative or not, and the overflow rule (as in the psABI and GNU ld).
const RELOCS: Record<number, { width: number; pc: boolean; check: Check }> = {
  [R_X86_64_64]: { width: 8, pc: false, check: 'none' },
  [R_X86_64_PC64]: { width: 8, pc: true, check: 'none' },
  [R_X86_64_32]: { width: 4, pc: false, check: 'unsigned' },
  [R_X86_64_32S]: { width: 4, pc: false, check: 'signed' },
  [R_X86_64_PC32]: { width: 4, pc: true, check: 'signed' },
  [R_X86_64_PLT32]: { width: 4, pc: true, check: 'signed' }, // static link: no PLT, straight to the symbol
  [R_X86_64_16]: { width: 2, pc: false, check: 'bitfield' },
  [R_X86_64_PC16]: { width: 2, pc: true, check: 'signed' },
  [R_X86_64_8]: { width: 1, pc: false, check: 'bitfield' },
  [R_X86_64_PC8]: { width: 1, pc: true, check: 'signed' },
};

function fits(v: bigint, bits: number, check: Check): boolean {
  const s = BigInt.asIntN(64, v);
  const u = BigInt.asUintN(64, v);
  const b = BigInt(bits);
  if (check === 'unsigned') return u < 1n << b;
  if (check === 'signed') return s >= -(1n << (b - 1n)) && s < 1n << (b - 1n);
  if (check === 'bitfield') return s >= -(1n << (b - 1n)) && s < 1n << b;
  return true;
}

function relocate(ctx: Ctx): void {
  const bag = new DiagnosticBag();
  const reported = new Set<string>();
  ctx.objects.forEach((o, oi) =>
    o.sections.forEach((s, si) => {
      const p = ctx.place[oi][si];
      if (!p || s.relocs.length === 0) return;
      for (const r of s.relocs) {
        // The site only for messages: finding it scans the section's lines and symbols, which for
        // every relocation of a large object was most of the link.
        const d = applyOne(ctx, p, r, () => relocSite(o, si, r));
        if (!d) continue;
        const key = d.code === 'LNK0001' ? `${d.message.split(',')[0]}|${o.name}` : `${relocSite(o, si, r).where}|${d.code}`;
        if (!reported.has(key)) bag.items.push(d);
        reported.add(key);
      }
    }),
  );
  bag.check();
}

/** Where a relocation sits, for messages: the function around it and its source line when the
 *  object knows them (the relocation's own position, else the section's line table), otherwise
 *  the object and section offset. The source line replaces the object's name, which for a
 *  compiled TypeScript program is its tsconfig.json. */
function relocSite(o: ObjectFile, si: number, r: Relocation): { where: string; loc?: SourceLoc } {
  const s = o.sections[si];
  const at = `${s.name}+0x${r.offset.toString(16)}`;
  let loc = r.loc;
  for (const l of s.lines) if (!r.loc && l.offset <= r.offset) loc = l.loc; // sorted by offset
  if (!loc) return { where: `${o.name}(${at})` };
  const off = BigInt(r.offset);
  const fn = o.symbols.find((f) => f.section === si && f.type === 'func' && f.value <= off && off < f.value + BigInt(f.size));
  return { where: `${fn ? `${fn.name} at ` : ''}${relative(process.cwd(), loc.file) || loc.file}:${loc.line} (${at})`, loc };
}

/** A symbol's name for messages; assemblers turn references to local labels into section + addend. */
function symName(o: ObjectFile, sym: ObjSymbol, r: Relocation, pc: boolean): string {
  if (sym.type !== 'section' || typeof sym.section !== 'number') return sym.name;
  const at = `${o.sections[sym.section].name}+0x${BigInt.asUintN(64, r.addend).toString(16)}`;
  const label = pc ? undefined : o.symbols.find((s) => s.section === sym.section && s.name !== '' && s.type !== 'section' && s.value === r.addend);
  return label ? `${label.name} (${at})` : at;
}

/** The value S of the symbol a relocation names: globals by name, locals in their own object. */
function targetAddress(ctx: Ctx, object: number, symbol: number): bigint | 'undefined' | 'discarded' {
  const sym = ctx.objects[object].symbols[symbol];
  let ref: SymRef = { object, symbol };
  if (sym.section === 'undef' || sym.binding !== 'local') {
    const def = ctx.globals.get(sym.name);
    if (!def) return sym.binding === 'weak' ? 0n : 'undefined'; // an undefined weak symbol is zero
    ref = def;
  }
  return symbolAddress(ctx, ref) ?? 'discarded';
}

/** Applies one relocation; returns a diagnostic instead when it cannot. */
function applyOne(ctx: Ctx, p: Piece, r: Relocation, site: () => { where: string; loc?: SourceLoc }): Diagnostic | undefined {
  const o = ctx.objects[p.object];
  const out = ctx.sections[p.out];
  const err = (code: string, message: (where: string) => string): Diagnostic => {
    const { where, loc } = site();
    return { code, message: message(where), loc, severity: 'error' };
  };
  if (r.type === R_X86_64_NONE) return undefined;
  const kind = RELOCS[r.type];
  const rname = RELOC_NAMES[r.type] ?? `type ${r.type}`;
  if (!kind) return err('LNK0008', (where) => `unsupported relocation ${rname} at ${where}`);
  const s = o.sections[p.section];
  if (r.offset < 0 || r.offset + kind.width > s.size) return err('LNK0012', (where) => `relocation ${rname} at ${where} is outside its section (size ${s.size})`);
  if (out.type === SHT_NOBITS || s.type === SHT_NOBITS) return err('LNK0012', (where) => `relocation ${rname} at ${where} is in a section without contents`);
  const sym = o.symbols[r.symbol];
  if (!sym) return err('LNK0011', (where) => `relocation at ${where} names symbol ${r.symbol}, which does not exist`);
  const name = () => symName(o, sym, r, kind.pc); // scans the symbols: for messages only
  const S = targetAddress(ctx, p.object, r.symbol);
  if (S === 'undefined') return err('LNK0001', (where) => `undefined symbol ${name()}, referenced from ${where}`);
  if (S === 'discarded') return err('LNK0007', (where) => `${where} refers to ${name()}, which is defined in a discarded section`);

  const P = out.vma + BigInt(p.offset + r.offset);
  const v = BigInt.asUintN(64, S + r.addend - (kind.pc ? P : 0n));
  if (!fits(v, kind.width * 8, kind.check)) {
    const shown = kind.check === 'unsigned' ? '0x' + v.toString(16) : BigInt.asIntN(64, v).toString();
    const hint = r.type === R_X86_64_32 && S >= 1n << 63n ? ' (a higher-half address needs R_X86_64_32S, R_X86_64_64 or a RIP-relative reference)' : '';
    return err('LNK0003', (where) => `relocation ${rname} against ${name()} at ${where} overflows: value ${shown} does not fit in ${kind.width * 8} bits${kind.check === 'none' ? '' : ` (${kind.check})`}${hint}`);
  }
  const view = new DataView(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  const at = p.offset + r.offset;
  for (let i = 0; i < kind.width; i++) view.setUint8(at + i, Number((v >> BigInt(8 * i)) & 0xffn));
  return undefined;
}

// ---- 5. generated sections, segments, symbol list ----

/** The piece and output section of one of the linker's own generated sections. */
function generated(ctx: Ctx, name: string): { piece: Piece; out: OutputSection; size: number } {
  const si = ctx.self.sections.findIndex((s) => s.name === name);
  const piece = ctx.place[ctx.objects.length - 1][si]!;
  return { piece, out: ctx.sections[piece.out], size: ctx.self.sections[si].size };
}

function fillKsymtabSection(ctx: Ctx, refs: SymRef[]): void {
  const { piece, out, size } = generated(ctx, '.ksymtab');
  const entries: KsymEntry[] = refs.map((r) => {
    const s = ctx.objects[r.object].symbols[r.symbol];
    return { name: s.name, addr: symbolAddress(ctx, r)!, size: s.size };
  });
  fillKsymtab(out.data.subarray(piece.offset, piece.offset + size), out.vma + BigInt(piece.offset), entries);
}

function writeMultiboot(ctx: Ctx, entryRef: SymRef, entry: bigint): void {
  const { sections, layout } = ctx;
  const { piece, out, size } = generated(ctx, '.multiboot');
  const withBytes = sections.filter((s) => s.type !== SHT_NOBITS && s.size > 0);
  const entrySym = ctx.objects[entryRef.object].symbols[entryRef.symbol];
  const entryOut = typeof entrySym.section === 'number' ? sections[ctx.place[entryRef.object][entrySym.section]!.out] : undefined;
  fillMultiboot(out.data.subarray(piece.offset, piece.offset + size), {
    headerAddr: out.lma + BigInt(piece.offset),
    headerFileOffset: out.fileOffset + piece.offset,
    loadAddr: minLma(sections),
    loadEndAddr: withBytes.reduce((m, s) => (s.lma + BigInt(s.size) > m ? s.lma + BigInt(s.size) : m), 0n),
    bssEndAddr: maxLmaEnd(sections),
    entryAddr: entryOut ? entry - entryOut.vma + entryOut.lma : entry,
    entryIsPhysical: !entryOut || entryOut.vma === entryOut.lma,
    entry: layout.entry,
  });
}

function segmentFlags(s: OutputSection): number {
  return PF_R | (s.flags & SHF_WRITE ? PF_W : 0) | (s.flags & SHF_EXECINSTR ? PF_X : 0);
}

/** Groups consecutive non-empty sections with equal permissions and VMA-LMA delta; NOBITS only at the tail. */
function segmentsOf(sections: OutputSection[]): Segment[] {
  const segs: Segment[] = [];
  let cur: Segment | undefined;
  let tailNobits = false;
  sections.forEach((s, i) => {
    if (s.size === 0) return;
    const flags = segmentFlags(s);
    const end = cur ? cur.vaddr + BigInt(cur.memsz) : 0n;
    const joins = cur && cur.flags === flags && cur.vaddr - cur.paddr === s.vma - s.lma && s.vma >= end && !(tailNobits && s.type !== SHT_NOBITS);
    if (!joins) {
      cur = { sections: [], flags, vaddr: s.vma, paddr: s.lma, offset: s.fileOffset, filesz: 0, memsz: 0 };
      segs.push(cur);
      tailNobits = false;
    }
    cur!.sections.push(i);
    cur!.memsz = Number(s.vma + BigInt(s.size) - cur!.vaddr);
    if (s.type !== SHT_NOBITS) cur!.filesz = s.fileOffset + s.size - cur!.offset;
    else tailNobits = true;
  });
  return segs.sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : 0));
}

/** Every defined symbol that survived (locals too), with its final address and output section. */
function symbolList(ctx: Ctx): LinkedSymbol[] {
  const out: LinkedSymbol[] = [];
  ctx.objects.forEach((o, oi) =>
    o.symbols.forEach((s, si) => {
      if (s.type === 'section' || s.type === 'file' || s.name === '' || s.section === 'undef') return;
      if (s.binding !== 'local') {
        const winner = ctx.globals.get(s.name);
        if (!winner || winner.object !== oi || winner.symbol !== si) return;
      }
      const value = symbolAddress(ctx, { object: oi, symbol: si });
      if (value === undefined) return;
      const section = s.section === 'abs' ? 'abs' : ctx.place[oi][s.section]!.out;
      out.push({ name: s.name, value, size: s.size, binding: s.binding, type: s.type, section, object: o.name });
    }),
  );
  return out;
}
