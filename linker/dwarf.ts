// DWARF 5 debug information for a linked program, built from the objects' line tables and function
// symbols once every address is final: gdb then steps through TypeScript lines, breaks on TS
// functions and shows TS file:line in backtraces.
//
// Written (all non-allocated; exec.ts puts them after the image, no segment loads them):
//   .debug_abbrev    the DIE shapes: the four fixed ones below, then those variables and types add
//   .debug_info      one compile unit per input object that has lines; a DW_TAG_subprogram for
//                    each of its function symbols with a size (the code generator emits .type/.size)
//   .debug_line      one line program per unit; one sequence per placed input section with lines;
//                    a row (is_stmt) wherever the source line or file changes
//   .debug_rnglists  the address ranges of units spread over several sections (the kernel's boot.S)
//   .debug_aranges   address -> unit lookup, which gdb and other consumers use when present
// Strings are inline (DW_FORM_string), so no .debug_str / .debug_line_str is needed.
//
//   .debug_loclists  where each variable is over which addresses (the code generator's debugvar
//                    entries, see compiler/x86/varlocs.ts), one table per unit
// Each subprogram with variables has DW_TAG_formal_parameter / DW_TAG_variable children and
// DW_AT_frame_base rbp; their types (base, pointer, structure, array) follow the unit's subprograms.
//
//   .debug_frame     call frame information: a CIE, then an FDE per function that the code
//                    generator described (its cfi entries: the frame after each prologue and
//                    epilogue instruction). Hand-written .S functions get none: gdb falls back to
//                    its prologue analyser for them rather than trust a guessed frame.
//
// Spec: DWARF Debugging Information Format Version 5 (dwarfstd.org), sections 6.2 (line numbers),
// 7.5 (info encoding), 7.22 (line number encoding), 7.25 (range lists), 6.4 and 7.24 (call frames).

import { basename, dirname } from 'node:path';
import { ByteWriter } from './elf.js';
import type { DebugType, FrameEntry, ObjSymbol, SourceLoc, VarEntry, VarPlace } from './object.js';
import type { LinkResult } from './link.js';

export interface DebugSection {
  name: string;
  data: Uint8Array;
}

// Tags, attributes, forms and other codes (DWARF 5, section 7).
const DW_TAG_compile_unit = 0x11;
const DW_TAG_subprogram = 0x2e;
const DW_TAG_array_type = 0x01;
const DW_TAG_formal_parameter = 0x05;
const DW_TAG_member = 0x0d;
const DW_TAG_pointer_type = 0x0f;
const DW_TAG_structure_type = 0x13;
const DW_TAG_subrange_type = 0x21;
const DW_TAG_base_type = 0x24;
const DW_TAG_variable = 0x34;
const DW_AT_location = 0x02;
const DW_AT_byte_size = 0x0b;
const DW_AT_count = 0x37;
const DW_AT_data_member_location = 0x38;
const DW_AT_encoding = 0x3e;
const DW_AT_frame_base = 0x40;
const DW_AT_type = 0x49;
const DW_FORM_data1 = 0x0b;
const DW_FORM_ref4 = 0x13;
const DW_FORM_exprloc = 0x18;
const DW_ATE: Record<string, number> = { boolean: 0x02, signed: 0x05, unsigned: 0x07, char: 0x08 };
const DW_OP_constu = 0x10;
const DW_OP_reg0 = 0x50;
const DW_OP_breg6 = 0x76;
const DW_OP_fbreg = 0x91;
const DW_OP_stack_value = 0x9f;
const DW_LLE_end_of_list = 0x00;
const DW_LLE_start_length = 0x08;
const DW_CHILDREN_no = 0;
const DW_CHILDREN_yes = 1;
const DW_AT_name = 0x03;
const DW_AT_stmt_list = 0x10;
const DW_AT_low_pc = 0x11;
const DW_AT_high_pc = 0x12;
const DW_AT_language = 0x13;
const DW_AT_comp_dir = 0x1b;
const DW_AT_producer = 0x25;
const DW_AT_decl_file = 0x3a;
const DW_AT_decl_line = 0x3b;
const DW_AT_external = 0x3f;
const DW_AT_ranges = 0x55;
const DW_FORM_addr = 0x01;
const DW_FORM_data2 = 0x05;
const DW_FORM_data8 = 0x07;
const DW_FORM_string = 0x08;
const DW_FORM_udata = 0x0f;
const DW_FORM_sec_offset = 0x17;
const DW_FORM_flag_present = 0x19;
const DW_UT_compile = 0x01;
const DW_LANG_C99 = 0x0c; // no code for TypeScript: C is what gdb's expressions should parse
const DW_LANG_Mips_Assembler = 0x8001; // GNU as uses this for any assembly source
const DW_LNCT_path = 0x1;
const DW_LNCT_directory_index = 0x2;
const DW_RLE_end_of_list = 0x00;
const DW_RLE_start_length = 0x07;

// Line program opcodes.
const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNS_set_prologue_end = 10;
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;

// Line program header parameters, as gcc chooses them for x86.
const LINE_BASE = -5;
const LINE_RANGE = 14;
const OPCODE_BASE = 13;
const STANDARD_OPCODE_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]; // operands of opcodes 1..12

const PRODUCER = 'Scarlett OS TypeScript toolchain';

// Abbreviation codes: a unit covering one range or several, an external or local function.
const ABBREV_CU_RANGE = 1;
const ABBREV_CU_RANGES = 2;
const ABBREV_FUNC_GLOBAL = 3;
const ABBREV_FUNC_LOCAL = 4;

/** [attribute, form] pairs of each abbreviation, in the order the DIE writes them. */
const CU_COMMON = [
  [DW_AT_producer, DW_FORM_string],
  [DW_AT_language, DW_FORM_data2],
  [DW_AT_name, DW_FORM_string],
  [DW_AT_comp_dir, DW_FORM_string],
  [DW_AT_stmt_list, DW_FORM_sec_offset],
  [DW_AT_low_pc, DW_FORM_addr],
];
const FUNC_COMMON = [
  [DW_AT_name, DW_FORM_string],
  [DW_AT_decl_file, DW_FORM_udata],
  [DW_AT_decl_line, DW_FORM_udata],
  [DW_AT_low_pc, DW_FORM_addr],
  [DW_AT_high_pc, DW_FORM_data8], // a constant high_pc is the length (DWARF 4 and later)
];
interface Abbrev {
  code: number;
  tag: number;
  children: number;
  attrs: number[][];
}
const ABBREVS: Abbrev[] = [
  { code: ABBREV_CU_RANGE, tag: DW_TAG_compile_unit, children: DW_CHILDREN_yes, attrs: [...CU_COMMON, [DW_AT_high_pc, DW_FORM_data8]] },
  { code: ABBREV_CU_RANGES, tag: DW_TAG_compile_unit, children: DW_CHILDREN_yes, attrs: [...CU_COMMON, [DW_AT_ranges, DW_FORM_sec_offset]] },
  { code: ABBREV_FUNC_GLOBAL, tag: DW_TAG_subprogram, children: DW_CHILDREN_no, attrs: [...FUNC_COMMON, [DW_AT_external, DW_FORM_flag_present]] },
  { code: ABBREV_FUNC_LOCAL, tag: DW_TAG_subprogram, children: DW_CHILDREN_no, attrs: FUNC_COMMON },
];

/** Each table's codes by DIE shape (abbrev() is called for every variable and type written). */
const codes = new WeakMap<Abbrev[], Map<string, number>>();

/** The abbreviation for a DIE shape, added to the table on first use (variables, types). */
function abbrev(table: Abbrev[], tag: number, children: number, attrs: number[][]): number {
  let byShape = codes.get(table);
  if (!byShape) {
    codes.set(table, (byShape = new Map()));
    for (const a of table) {
      const k = JSON.stringify([a.tag, a.children, a.attrs]);
      if (!byShape.has(k)) byShape.set(k, a.code); // the first of equal shapes, as a search would find
    }
  }
  const key = JSON.stringify([tag, children, attrs]);
  const known = byShape.get(key);
  if (known !== undefined) return known;
  table.push({ code: table.length + 1, tag, children, attrs });
  byShape.set(key, table.length);
  return table.length;
}

/** A placed input section's line table: final start address, size, rows by offset. */
interface Region {
  addr: bigint;
  size: number;
  rows: { offset: number; loc: SourceLoc }[];
}

interface Func {
  name: string;
  external: boolean;
  addr: bigint;
  size: number;
  loc?: SourceLoc;
  vars: Var[];
  frames: Frame[]; // the call frame from each address on, in address order (none: no FDE)
}

/** A function's call frame from an address on (FrameEntry with a final address). */
interface Frame {
  addr: bigint;
  cfa: FrameEntry['cfa'];
  saved: FrameEntry['saved'];
}

/** A function's variable and where it is: place per address range (absent: nowhere). */
interface Var {
  name: string;
  param: boolean;
  type?: DebugType;
  ranges: { addr: bigint; end: bigint; place: VarPlace }[];
}

/** What one compile unit describes: an input object's code regions and functions. */
interface Unit {
  name: string;
  compDir: string;
  language: number;
  regions: Region[];
  funcs: Func[];
  files: FileTable;
}

/** The line table's directories and files; file 0 is the unit's own name (DWARF 5 rule). */
class FileTable {
  dirs: string[];
  files: { name: string; dir: number }[] = [];
  private index = new Map<string, number>();

  constructor(primary: string, compDir: string) {
    this.dirs = [compDir];
    this.add(primary);
  }
  /** The file number of a path, adding it on first use. */
  add(path: string): number {
    const known = this.index.get(path);
    if (known !== undefined) return known;
    let dir = this.dirs.indexOf(dirname(path));
    if (dir < 0) dir = this.dirs.push(dirname(path)) - 1;
    const n = this.files.push({ name: basename(path), dir }) - 1;
    // File 0 stands for the unit; rows refer to files from 1 on (as gcc does), which every
    // consumer reads the same way whether it counts DWARF 5 files from 0 or from 1.
    if (n > 0) this.index.set(path, n);
    return n;
  }
}

/** The debug sections for a linked program; empty when no input has line information. */
export function debugSections(result: LinkResult): DebugSection[] {
  const units = collectUnits(result);
  if (units.length === 0) return [];
  const abbrevs = ABBREVS.map((a) => ({ ...a }));
  const info = new ByteWriter();
  const loclists = new ByteWriter();
  const line = new ByteWriter();
  const rnglists = new ByteWriter();
  const aranges = new ByteWriter();
  const frame = new ByteWriter();
  writeFrames(frame, units.flatMap((u) => u.funcs));
  for (const u of units) {
    const lineOffset = line.length;
    writeLineProgram(line, u);
    const infoOffset = info.length;
    writeUnit(info, rnglists, loclists, abbrevs, u, lineOffset);
    writeAranges(aranges, u, infoOffset);
  }
  const abbrev = new ByteWriter();
  writeAbbrevs(abbrev, abbrevs);
  const sections = [
    { name: '.debug_aranges', data: aranges.result() },
    { name: '.debug_info', data: info.result() },
    { name: '.debug_abbrev', data: abbrev.result() },
    { name: '.debug_line', data: line.result() },
    { name: '.debug_rnglists', data: rnglists.result() },
    { name: '.debug_loclists', data: loclists.result() },
    { name: '.debug_frame', data: frame.result() },
  ];
  return sections.filter((s) => s.data.length > 0);
}

// ---- what to describe ----

/** A section's line entries inside it, by offset; of several at one offset the last, since the
 *  earlier ones belong to items that produced no bytes. The assembler writes them in order: then
 *  one pass, else a stable sort first. */
function lineRows(lines: { offset: number; loc: SourceLoc }[], size: number): { offset: number; loc: SourceLoc }[] {
  let sorted = lines;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].offset < lines[i - 1].offset) {
      sorted = [...lines].sort((a, b) => a.offset - b.offset);
      break;
    }
  }
  const rows: { offset: number; loc: SourceLoc }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const l = sorted[i];
    if (l.offset < 0 || l.offset >= size || (i + 1 < sorted.length && sorted[i + 1].offset === l.offset)) continue;
    rows.push(l);
  }
  return rows;
}

function collectUnits(result: LinkResult): Unit[] {
  // Final address of each placed input section, by object and section index.
  const placed = new Map<string, bigint>();
  for (const out of result.sections) {
    for (const p of out.pieces) placed.set(`${p.object}:${p.section}`, out.vma + BigInt(p.offset));
  }
  const units: Unit[] = [];
  result.objects.forEach((o, oi) => {
    const regions: Region[] = [];
    o.sections.forEach((s, si) => {
      const addr = placed.get(`${oi}:${si}`);
      const rows = lineRows(s.lines, s.size);
      if (addr !== undefined && rows.length > 0) regions.push({ addr, size: s.size, rows });
    });
    if (regions.length === 0) return;
    regions.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    const funcs = o.symbols.flatMap((s) => functionOf(s, placed, oi));
    attachVars(funcs, o.sections.map((s, si) => ({ base: placed.get(`${oi}:${si}`), vars: s.vars ?? [] })));
    attachFrames(funcs, o.sections.map((s, si) => ({ base: placed.get(`${oi}:${si}`), frames: s.frames ?? [] })));
    funcs.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    const compDir = dirname(o.name);
    // Number the files before anything is written: the line program's header lists them all.
    const files = new FileTable(o.name, compDir);
    for (const r of regions) for (const row of r.rows) files.add(row.loc.file);
    for (const f of funcs) if (f.loc) files.add(f.loc.file);
    const assembly = /\.s$/i.test(o.name);
    units.push({ name: o.name, compDir, language: assembly ? DW_LANG_Mips_Assembler : DW_LANG_C99, regions, funcs, files });
  });
  return units;
}

/** A function symbol with a size in a placed section, as a subprogram to describe. */
function functionOf(s: ObjSymbol, placed: Map<string, bigint>, object: number): Func[] {
  if (s.type !== 'func' || s.size <= 0 || typeof s.section !== 'number' || s.name === '') return [];
  const base = placed.get(`${object}:${s.section}`);
  if (base === undefined) return [];
  return [{ name: s.name, external: s.binding !== 'local', addr: base + s.value, size: s.size, loc: s.loc, vars: [], frames: [] }];
}

/**
 * Each function's variables from the entries of its sections: an entry says where a variable is
 * from its address until the variable's next entry or the function's end.
 */
function attachVars(funcs: Func[], sections: { base: bigint | undefined; vars: VarEntry[] }[]): void {
  const byName = new Map(funcs.map((f) => [f.name, f]));
  const open = new Map<string, { v: Var; addr: bigint; place?: VarPlace }>();
  const close = (f: Func, o: { v: Var; addr: bigint; place?: VarPlace }, addr: bigint) => {
    const end = addr < f.addr + BigInt(f.size) ? addr : f.addr + BigInt(f.size);
    if (o.place && end > o.addr) o.v.ranges.push({ addr: o.addr, end, place: o.place });
  };
  for (const { base, vars } of sections) {
    if (base === undefined) continue;
    for (const e of vars) {
      const f = byName.get(e.func);
      if (!f) continue;
      const addr = base + BigInt(e.offset);
      const key = `${e.func}:${e.id}`;
      const o = open.get(key);
      if (o) close(f, o, addr);
      const v = o?.v ?? { name: e.name, param: e.param, type: e.type, ranges: [] };
      if (!o) f.vars.push(v);
      open.set(key, { v, addr, place: e.place });
    }
  }
  for (const [key, o] of open) close(byName.get(key.slice(0, key.lastIndexOf(':')))!, o, 1n << 64n);
}

/**
 * Each function's call frames from the entries of its sections. An entry at the function's end
 * (the frame after its last `ret`) describes no instruction and is dropped; of several at one
 * address the last wins.
 */
function attachFrames(funcs: Func[], sections: { base: bigint | undefined; frames: FrameEntry[] }[]): void {
  const byName = new Map(funcs.map((f) => [f.name, f]));
  for (const { base, frames } of sections) {
    if (base === undefined) continue;
    for (const e of frames) {
      const f = byName.get(e.func);
      const addr = base + BigInt(e.offset);
      if (!f || addr < f.addr || addr >= f.addr + BigInt(f.size)) continue;
      if (f.frames.at(-1)?.addr === addr) f.frames.pop();
      f.frames.push({ addr, cfa: e.cfa, saved: e.saved });
    }
  }
}

// ---- .debug_frame ----

// Call frame instructions (section 6.4.2) and the CIE's parameters for x86-64 (psABI 3.6.2).
const DW_CFA_advance_loc = 0x40; // | delta
const DW_CFA_offset = 0x80; // | register, then the factored offset
const DW_CFA_restore = 0xc0; // | register
const DW_CFA_nop = 0x00;
const DW_CFA_advance_loc1 = 0x02;
const DW_CFA_advance_loc2 = 0x03;
const DW_CFA_advance_loc4 = 0x04;
const DW_CFA_def_cfa = 0x0c;
const DW_CFA_def_cfa_register = 0x0d;
const DW_CFA_def_cfa_offset = 0x0e;
const CIE_ID = 0xffffffff; // in .debug_frame (not .eh_frame, where it is 0)
const CIE_VERSION = 4; // DWARF 5's .debug_frame version
const DATA_ALIGN = -8; // register save offsets are multiples of -8
const REG_RSP = 7;
const REG_RA = 16; // the return address column
/** The frame at a function's first instruction, as a call leaves it: CFA = rsp + 8, nothing saved. */
const ENTRY_FRAME: Omit<Frame, 'addr'> = { cfa: { reg: REG_RSP, offset: 8 }, saved: [] };

/** One CIE (at offset 0) and an FDE for each function whose frames the code generator recorded. */
function writeFrames(w: ByteWriter, funcs: Func[]): void {
  const described = funcs.filter((f) => f.frames.length > 0);
  if (described.length === 0) return;
  const cie = new ByteWriter();
  cie.u32(CIE_ID);
  cie.u8(CIE_VERSION);
  cstring(cie, ''); // no augmentation
  cie.u8(8); // address size
  cie.u8(0); // segment selector size
  uleb(cie, 1); // code alignment factor
  sleb(cie, DATA_ALIGN);
  uleb(cie, REG_RA);
  cie.u8(DW_CFA_def_cfa); // ENTRY_FRAME
  uleb(cie, ENTRY_FRAME.cfa.reg);
  uleb(cie, ENTRY_FRAME.cfa.offset);
  cie.u8(DW_CFA_offset | REG_RA); // the return address is at CFA - 8 in every frame
  uleb(cie, 1);
  padFrame(w, cie);
  for (const f of described) {
    const fde = new ByteWriter();
    fde.u32(0); // the CIE's offset
    fde.u64(f.addr);
    fde.u64(BigInt(f.size));
    let at = f.addr;
    let prev = ENTRY_FRAME;
    for (const fr of f.frames) {
      advance(fde, Number(fr.addr - at));
      frameChange(fde, prev, fr);
      at = fr.addr;
      prev = fr;
    }
    padFrame(w, fde);
  }
}

/** Moves the location on by `delta` bytes (code alignment factor 1). */
function advance(w: ByteWriter, delta: number): void {
  if (delta === 0) return;
  if (delta < 0x40) w.u8(DW_CFA_advance_loc | delta);
  else if (delta <= 0xff) (w.u8(DW_CFA_advance_loc1), w.u8(delta));
  else if (delta <= 0xffff) (w.u8(DW_CFA_advance_loc2), w.u16(delta));
  else (w.u8(DW_CFA_advance_loc4), w.u32(delta));
}

/** The instructions that turn frame `a` into frame `b`: CFA rule, saved registers, restored ones. */
function frameChange(w: ByteWriter, a: Omit<Frame, 'addr'>, b: Omit<Frame, 'addr'>): void {
  if (a.cfa.reg !== b.cfa.reg && a.cfa.offset !== b.cfa.offset) (w.u8(DW_CFA_def_cfa), uleb(w, b.cfa.reg), uleb(w, b.cfa.offset));
  else if (a.cfa.reg !== b.cfa.reg) (w.u8(DW_CFA_def_cfa_register), uleb(w, b.cfa.reg));
  else if (a.cfa.offset !== b.cfa.offset) (w.u8(DW_CFA_def_cfa_offset), uleb(w, b.cfa.offset));
  for (const s of b.saved) {
    if (a.saved.some((t) => t.reg === s.reg && t.offset === s.offset)) continue;
    w.u8(DW_CFA_offset | s.reg);
    uleb(w, s.offset / DATA_ALIGN);
  }
  for (const t of a.saved) if (!b.saved.some((s) => s.reg === t.reg)) w.u8(DW_CFA_restore | t.reg);
}

/** A CIE or FDE: its length, then its body padded with DW_CFA_nop to a multiple of 8 bytes. */
function padFrame(w: ByteWriter, body: ByteWriter): void {
  while ((4 + body.length) % 8 !== 0) body.u8(DW_CFA_nop);
  withLength(w, body);
}

// ---- .debug_abbrev ----

function writeAbbrevs(w: ByteWriter, table: Abbrev[]): void {
  for (const a of table) {
    uleb(w, a.code);
    uleb(w, a.tag);
    w.u8(a.children);
    for (const [at, form] of a.attrs) {
      uleb(w, at);
      uleb(w, form);
    }
    uleb(w, 0);
    uleb(w, 0);
  }
  uleb(w, 0);
}

// ---- .debug_info (and the unit's range list) ----

function writeUnit(info: ByteWriter, rnglists: ByteWriter, loclists: ByteWriter, abbrevs: Abbrev[], u: Unit, lineOffset: number): void {
  const body = new ByteWriter();
  body.u16(5); // version
  body.u8(DW_UT_compile);
  body.u8(8); // address size
  body.u32(0); // offset of the abbreviations: one shared table at 0
  const single = u.regions.length === 1;
  uleb(body, single ? ABBREV_CU_RANGE : ABBREV_CU_RANGES);
  cstring(body, PRODUCER);
  body.u16(u.language);
  cstring(body, u.name);
  cstring(body, u.compDir);
  body.u32(lineOffset);
  if (single) {
    body.u64(u.regions[0].addr);
    body.u64(u.regions[0].size);
  } else {
    body.u64(0n); // base address for the range list entries (which are absolute anyway)
    body.u32(writeRangeList(rnglists, u.regions));
  }
  const types = new TypeWriter(abbrevs);
  const locs = new LocListWriter(loclists);
  for (const f of u.funcs) {
    const kids = f.vars.length > 0;
    const attrs = [...FUNC_COMMON, ...(f.external ? [[DW_AT_external, DW_FORM_flag_present]] : [])];
    if (!kids) uleb(body, f.external ? ABBREV_FUNC_GLOBAL : ABBREV_FUNC_LOCAL);
    else uleb(body, abbrev(abbrevs, DW_TAG_subprogram, DW_CHILDREN_yes, [...attrs, [DW_AT_frame_base, DW_FORM_exprloc]]));
    cstring(body, f.name);
    uleb(body, f.loc ? u.files.add(f.loc.file) : 0);
    uleb(body, f.loc?.line ?? 0);
    body.u64(f.addr);
    body.u64(f.size);
    if (!kids) continue;
    uleb(body, 2); // frame base: rbp + 0 (every generated function keeps a frame pointer)
    body.u8(DW_OP_breg6);
    sleb(body, 0);
    for (const v of f.vars) writeVar(body, abbrevs, types, locs, v);
    uleb(body, 0); // end of the subprogram's children
  }
  types.writeAll(body);
  uleb(body, 0); // end of the unit's children
  locs.finish();
  // Type references are offsets from the unit's start: the length field (4 bytes) precedes body.
  const bytes = body.result();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const { at, type } of types.refs) view.setUint32(at, 4 + types.offsetOf(type), true);
  info.u32(bytes.length);
  info.bytes(bytes);
}

/** A parameter or variable DIE: name, type, and a location list when it is anywhere. */
function writeVar(w: ByteWriter, abbrevs: Abbrev[], types: TypeWriter, locs: LocListWriter, v: Var): void {
  const attrs = [[DW_AT_name, DW_FORM_string]];
  if (v.type) attrs.push([DW_AT_type, DW_FORM_ref4]);
  if (v.ranges.length) attrs.push([DW_AT_location, DW_FORM_sec_offset]);
  uleb(w, abbrev(abbrevs, v.param ? DW_TAG_formal_parameter : DW_TAG_variable, DW_CHILDREN_no, attrs));
  cstring(w, v.name);
  if (v.type) types.ref(w, v.type);
  if (v.ranges.length) w.u32(locs.list(v.ranges));
}

/** A location description: DW_OP_regN, DW_OP_fbreg offset, or a constant value. */
function placeExpr(p: VarPlace): ByteWriter {
  const e = new ByteWriter();
  if ('reg' in p) e.u8(DW_OP_reg0 + p.reg);
  else if ('fbreg' in p) (e.u8(DW_OP_fbreg), sleb(e, p.fbreg));
  else (e.u8(DW_OP_constu), ulebBig(e, BigInt.asUintN(64, p.value)), e.u8(DW_OP_stack_value));
  return e;
}

/** A unit's location list table in .debug_loclists: a header, then one list per variable. */
class LocListWriter {
  private body = new ByteWriter();
  private start: number;
  constructor(private w: ByteWriter) {
    this.start = w.length;
    this.body.u16(5); // version
    this.body.u8(8); // address size
    this.body.u8(0); // segment selector size
    this.body.u32(0); // no offset array: DW_AT_location holds each list's section offset
  }
  /** Writes a list; returns its offset in the section. */
  list(ranges: Var['ranges']): number {
    const offset = this.start + 4 + this.body.length;
    for (const r of ranges) {
      this.body.u8(DW_LLE_start_length);
      this.body.u64(r.addr);
      uleb(this.body, Number(r.end - r.addr));
      const e = placeExpr(r.place);
      uleb(this.body, e.length);
      this.body.bytes(e.result());
    }
    this.body.u8(DW_LLE_end_of_list);
    return offset;
  }
  finish(): void {
    if (this.body.length > 8) withLength(this.w, this.body);
  }
}

/**
 * The unit's type DIEs, written after its subprograms. References to them are patched once all
 * are written: a structure can refer to itself through a pointer member.
 */
class TypeWriter {
  refs: { at: number; type: DebugType }[] = [];
  private offsets = new Map<DebugType, number>();
  private pending: DebugType[] = [];
  private seen = new Set<DebugType>();
  constructor(private abbrevs: Abbrev[]) {}

  /** A DW_FORM_ref4 to a type, patched later. */
  ref(w: ByteWriter, type: DebugType): void {
    const t = this.canonical(type);
    this.refs.push({ at: w.length, type: t });
    w.u32(0);
    if (!this.seen.has(t)) (this.seen.add(t), this.pending.push(t));
  }
  /** One DIE per base type name, per pointer target, per array shape; structs by identity. */
  private canonical(t: DebugType): DebugType {
    const key =
      t.kind === 'base' ? `b:${t.name}` :
      t.kind === 'pointer' ? `p:${t.to ? this.idOf(this.canonical(t.to)) : 'void'}` :
      t.kind === 'array' ? `a:${this.idOf(this.canonical(t.of))}:${t.count}` : `s:${this.idOf(t)}`;
    const known = this.byKey.get(key);
    if (known) return known;
    this.byKey.set(key, t);
    return t;
  }
  private byKey = new Map<string, DebugType>();
  private ids = new Map<DebugType, number>();
  private idOf(t: DebugType): number {
    if (!this.ids.has(t)) this.ids.set(t, this.ids.size);
    return this.ids.get(t)!;
  }
  offsetOf(t: DebugType): number {
    return this.offsets.get(t)!;
  }
  writeAll(w: ByteWriter): void {
    for (let t = this.pending.shift(); t; t = this.pending.shift()) this.write(w, t);
  }
  private write(w: ByteWriter, t: DebugType): void {
    this.offsets.set(t, w.length);
    const a = this.abbrevs;
    switch (t.kind) {
      case 'base':
        uleb(w, abbrev(a, DW_TAG_base_type, DW_CHILDREN_no, [[DW_AT_name, DW_FORM_string], [DW_AT_byte_size, DW_FORM_data1], [DW_AT_encoding, DW_FORM_data1]]));
        cstring(w, t.name);
        w.u8(t.size);
        w.u8(DW_ATE[t.encoding]);
        return;
      case 'pointer':
        uleb(w, abbrev(a, DW_TAG_pointer_type, DW_CHILDREN_no, [[DW_AT_byte_size, DW_FORM_data1], ...(t.to ? [[DW_AT_type, DW_FORM_ref4]] : [])]));
        w.u8(8);
        if (t.to) this.ref(w, t.to);
        return;
      case 'struct':
        uleb(w, abbrev(a, DW_TAG_structure_type, DW_CHILDREN_yes, [[DW_AT_name, DW_FORM_string], [DW_AT_byte_size, DW_FORM_udata]]));
        cstring(w, t.name);
        uleb(w, t.size);
        for (const m of t.members) {
          uleb(w, abbrev(a, DW_TAG_member, DW_CHILDREN_no, [[DW_AT_name, DW_FORM_string], [DW_AT_type, DW_FORM_ref4], [DW_AT_data_member_location, DW_FORM_udata]]));
          cstring(w, m.name);
          this.ref(w, m.type);
          uleb(w, m.offset);
        }
        uleb(w, 0);
        return;
      case 'array':
        uleb(w, abbrev(a, DW_TAG_array_type, DW_CHILDREN_yes, [[DW_AT_type, DW_FORM_ref4]]));
        this.ref(w, t.of);
        uleb(w, abbrev(a, DW_TAG_subrange_type, DW_CHILDREN_no, [[DW_AT_count, DW_FORM_udata]]));
        uleb(w, t.count);
        uleb(w, 0);
        return;
    }
  }
}

/** One range list table per unit (a header, then the list); returns the list's offset. */
function writeRangeList(w: ByteWriter, regions: Region[]): number {
  const body = new ByteWriter();
  body.u16(5); // version
  body.u8(8); // address size
  body.u8(0); // segment selector size
  body.u32(0); // no offset array: DW_AT_ranges holds the list's section offset
  for (const r of regions) {
    body.u8(DW_RLE_start_length);
    body.u64(r.addr);
    uleb(body, r.size);
  }
  body.u8(DW_RLE_end_of_list);
  const listOffset = w.length + 4 + 8; // after unit_length and the rest of the header
  withLength(w, body);
  return listOffset;
}

// ---- .debug_aranges ----

function writeAranges(w: ByteWriter, u: Unit, infoOffset: number): void {
  const body = new ByteWriter();
  body.u16(2); // version (still 2 in DWARF 5)
  body.u32(infoOffset);
  body.u8(8); // address size
  body.u8(0); // segment selector size
  // The tuples start at a multiple of their size (16) from the start of the set: 4 + 8 + 4 padding.
  body.u32(0);
  for (const r of u.regions) {
    body.u64(r.addr);
    body.u64(r.size);
  }
  body.u64(0n);
  body.u64(0n);
  withLength(w, body);
}

// ---- .debug_line ----

function writeLineProgram(w: ByteWriter, u: Unit): void {
  const program = new ByteWriter();
  for (const r of u.regions) writeSequence(program, r, u.files, prologueEnds(r, u.funcs));

  const header = new ByteWriter();
  header.u8(1); // minimum_instruction_length
  header.u8(1); // maximum_operations_per_instruction
  header.u8(1); // default_is_stmt
  header.u8(LINE_BASE & 0xff);
  header.u8(LINE_RANGE);
  header.u8(OPCODE_BASE);
  for (const n of STANDARD_OPCODE_LENGTHS) header.u8(n);
  header.u8(1); // directory entry format: path as an inline string
  uleb(header, DW_LNCT_path);
  uleb(header, DW_FORM_string);
  uleb(header, u.files.dirs.length);
  for (const d of u.files.dirs) cstring(header, d);
  header.u8(2); // file entry format: path, directory index
  uleb(header, DW_LNCT_path);
  uleb(header, DW_FORM_string);
  uleb(header, DW_LNCT_directory_index);
  uleb(header, DW_FORM_udata);
  uleb(header, u.files.files.length);
  for (const f of u.files.files) {
    cstring(header, f.name);
    uleb(header, f.dir);
  }

  const body = new ByteWriter();
  body.u16(5); // version
  body.u8(8); // address size
  body.u8(0); // segment selector size
  body.u32(header.length); // header_length: from after this field to the first opcode
  body.bytes(header.result());
  body.bytes(program.result());
  withLength(w, body);
}

const sameLoc = (a: SourceLoc, b: SourceLoc) => a.file === b.file && a.line === b.line && a.col === b.col;

/**
 * Where each function's body starts, as offsets in the region: gdb (13 and later) puts a
 * breakpoint on a function there, reading no code. The code generator gives the prologue the
 * function's own position, so the body starts at the first row with another position; a function
 * whose first row is already elsewhere has no prologue.
 */
function prologueEnds(r: Region, funcs: Func[]): Set<number> {
  const ends = new Set<number>();
  const end = r.addr + BigInt(r.size);
  for (const f of funcs) {
    if (f.addr < r.addr || f.addr >= end || !f.loc) continue;
    const start = Number(f.addr - r.addr);
    let i = firstRowAt(r.rows, start);
    if (i === r.rows.length || r.rows[i].offset !== start) continue;
    if (!sameLoc(r.rows[i].loc, f.loc)) {
      ends.add(start);
      continue;
    }
    while (i < r.rows.length && r.rows[i].offset < start + f.size && sameLoc(r.rows[i].loc, f.loc)) i++;
    if (i < r.rows.length && r.rows[i].offset < start + f.size) ends.add(r.rows[i].offset);
  }
  return ends;
}

/** Index of the first row at or after `offset` (rows are sorted by offset). */
function firstRowAt(rows: Region['rows'], offset: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One sequence for a region: a row wherever the file or line changes (the new line's first byte
 * is where a debugger stops for it), and one where each function's body starts (prologue_end).
 */
function writeSequence(w: ByteWriter, r: Region, files: FileTable, bodies: Set<number>): void {
  extended(w, DW_LNE_set_address, (b) => b.u64(r.addr));
  let offset = 0;
  let line = 1;
  let file = 1;
  let col = 0;
  let first = true;
  for (const row of r.rows) {
    const f = files.add(row.loc.file);
    if (!first && f === file && row.loc.line === line && !bodies.has(row.offset)) continue;
    first = false;
    if (f !== file) {
      w.u8(DW_LNS_set_file);
      uleb(w, f);
      file = f;
    }
    if (row.loc.col !== col) {
      w.u8(DW_LNS_set_column);
      uleb(w, row.loc.col);
      col = row.loc.col;
    }
    if (bodies.has(row.offset)) w.u8(DW_LNS_set_prologue_end);
    addRow(w, row.offset - offset, row.loc.line - line);
    offset = row.offset;
    line = row.loc.line;
  }
  if (r.size > offset) {
    w.u8(DW_LNS_advance_pc);
    uleb(w, r.size - offset);
  }
  extended(w, DW_LNE_end_sequence, () => {});
}

/** Appends a row `addrDelta` bytes and `lineDelta` lines on: a special opcode when one fits. */
function addRow(w: ByteWriter, addrDelta: number, lineDelta: number): void {
  if (lineDelta < LINE_BASE || lineDelta >= LINE_BASE + LINE_RANGE) {
    w.u8(DW_LNS_advance_line);
    sleb(w, lineDelta);
    lineDelta = 0;
  }
  const special = lineDelta - LINE_BASE + LINE_RANGE * addrDelta + OPCODE_BASE;
  if (special <= 255) {
    w.u8(special);
    return;
  }
  w.u8(DW_LNS_advance_pc);
  uleb(w, addrDelta);
  if (lineDelta !== 0) {
    w.u8(DW_LNS_advance_line);
    sleb(w, lineDelta);
  }
  w.u8(DW_LNS_copy);
}

/** An extended opcode: 0, its length, the opcode, its operands. */
function extended(w: ByteWriter, op: number, operands: (b: ByteWriter) => void): void {
  const b = new ByteWriter();
  b.u8(op);
  operands(b);
  w.u8(0);
  uleb(w, b.length);
  w.bytes(b.result());
}

// ---- encoding helpers ----

/** A 32-bit DWARF unit: its length (not counting the length field itself), then the body. */
function withLength(w: ByteWriter, body: ByteWriter): void {
  w.u32(body.length);
  w.bytes(body.result());
}

function uleb(w: ByteWriter, v: number): void {
  let n = BigInt(v);
  do {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    w.u8(n !== 0n ? byte | 0x80 : byte);
  } while (n !== 0n);
}

function ulebBig(w: ByteWriter, n: bigint): void {
  do {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    w.u8(n !== 0n ? byte | 0x80 : byte);
  } while (n !== 0n);
}

function sleb(w: ByteWriter, v: number): void {
  let n = BigInt(v);
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n; // arithmetic shift: the sign stays
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    w.u8(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function cstring(w: ByteWriter, s: string): void {
  w.bytes(new TextEncoder().encode(s + '\0'));
}
