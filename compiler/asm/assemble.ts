// Item[] -> ObjectFile: sections, symbols and relocations, the way GNU as would produce them.
//
// Three passes. (1) Walk the items in order: track sections and .code32/.code64, encode every
// instruction into a fragment (bytes + fixups), except jumps to labels of the same section, which
// stay relaxable. (2) Lay the fragments out and grow short jumps that do not reach into near ones,
// repeating until nothing changes (alignment padding and `.fill` counts are recomputed each round).
// (3) Write the bytes and turn each fixup into either a value (same-section PC-relative reference,
// absolute constant) or a relocation, against the section symbol for local symbols as GNU as does.
// A group (a function's code, items.ts) goes through passes 1 and 2 alone once per process and
// is replayed where it lies as one fragment (chunkOf).

import { DiagnosticBag, UserError, type Diagnostic } from '../../linker/diag.js';
import {
  defaultSectionFlags, newSection, R_X86_64_16, R_X86_64_32, R_X86_64_32S, R_X86_64_64, R_X86_64_8, R_X86_64_PC32,
  R_X86_64_PC8, R_X86_64_PC16, R_X86_64_PC64, R_X86_64_PLT32, R_X86_64_GOTPCREL, R_X86_64_GOTPCRELX, R_X86_64_REX_GOTPCRELX, SHF_ALLOC, SHF_EXECINSTR, SHF_MERGE, SHF_STRINGS, SHF_WRITE,
  SHT_NOBITS, SHT_PROGBITS, type DebugType, type ObjSymbol, type ObjectFile, type Relocation, type Section, type SourceLoc, type VarEntry, type FrameEntry,
} from '../../linker/object.js';
import { type Expr, type Group, type Instr, type Item, type Operand, type SymValue, itemLocs, varTypes } from './items.js';
import { constValue } from './att.js';
import { binaryOp, unaryOp, type Warn } from './constexpr.js';
import { branchForms, encodeMatched, matchForms, pushInt, type Encoded, type Fixup, type Mode } from './encode.js';

/** GOT references are made against the symbol itself, whatever it is. */
const GOT_RELOC: Partial<Record<Fixup['kind'], number>> = {
  got: R_X86_64_GOTPCREL, gotpc: R_X86_64_GOTPCREL, gotx: R_X86_64_GOTPCRELX, rexgotx: R_X86_64_REX_GOTPCRELX,
};

/** Bytes being completed by fixups: an instruction's, or a place in a section's buffer. */
type Bytes = number[] | Uint8Array;

/** A piece of a section between layout decisions. */
type Frag =
  | { kind: 'fixed'; bytes: number[]; fixups: Fixup[]; loc?: SourceLoc; offset: number; vars?: Omit<VarEntry, 'offset'>[]; frames?: Omit<FrameEntry, 'offset'>[] }
  | { kind: 'branch'; ins: Instr; near: boolean; enc: [Encoded, Encoded]; loc?: SourceLoc; offset: number } // enc: short, near (shared: see encodings)
  | { kind: 'align'; align: number; fill?: number; max?: number; code: boolean; size: number; offset: number }
  | { kind: 'fill'; count: Expr; size: number; value: Expr; n: number; loc?: SourceLoc; offset: number; dot: Place }
  | { kind: 'data'; width: 1 | 2 | 4 | 8; values: Expr[]; loc?: SourceLoc; offset: number; dot: Place }
  | { kind: 'chunk'; chunk: Chunk; types: DebugType[]; locs: SourceLoc[]; offset: number };

/**
 * What passes 1 and 2 make of a group (items.ts) on their own: its bytes with its branches
 * resolved, and the rest as the flat items would have left it, each at its offset in the group
 * (fixups of the references that leave it, line, variable and frame entries, labels, symbol
 * attributes, first references). Replayed where the group is placed; shared, so never changed.
 * Source locations are places in the group's `locs` (Loc), and variable types places in its
 * `varTypes`: a group with the same key may lie at other lines, and has this build's types.
 */
interface Chunk {
  lead?: Item & { kind: 'align' }; // the group's first item, an alignment: placed as itself, at leadLoc
  leadLoc?: Loc;
  bytes: Uint8Array;
  fixups: { at: number; fx: Fixup; loc?: Loc }[]; // at: the instruction's offset; fx.offset: from the group's start
  lines: { offset: number; loc: Loc }[];
  vars: (Omit<VarEntry, 'type'> & { type?: number })[]; // type: its place in the group's varTypes
  frames: FrameEntry[];
  labels: { name: string; offset: number; loc?: Loc }[];
  binding: [string, 'global' | 'local' | 'weak'][];
  types: [string, 'function' | 'object'][];
  sizes: [string, { expr: Expr; offset: number; loc?: Loc }][];
  firstRef: [string, Loc | undefined][];
}

/** A source location of a chunk: its place in the group's locs (items.ts, itemLocs). */
type Loc = number;

interface SecState {
  sec: Section;
  index: number;
  frags: Frag[];
}

/** A position: section and fragment index (its offset is known once laid out). */
interface Place {
  sec: number;
  frag: number;
  delta?: number; // bytes into the fragment (the n-th value of a data directive)
}

/** What a symbol name denotes. */
type SymDef =
  | { kind: 'label'; at: Place; loc?: SourceLoc }
  | { kind: 'set'; expr: Expr; at: Place; loc?: SourceLoc; value?: bigint }; // value: known constant

/**
 * The value of an expression: `base + off`, optionally minus a place in a section (PC-relative
 * data such as `.long sym - .`). `base` is a section offset (`sec`, `secOff`) for a defined label,
 * and names the symbol when a relocation must refer to it by name (global, weak, undefined).
 */
interface Value {
  base?: { sec?: number; secOff: bigint; name: string; external: boolean };
  sub?: { sec: number; secOff: bigint };
  off: bigint;
}

// GNU as's multi-byte nops, by length (longest used is 11; longer padding repeats it).
const NOPS: number[][] = [
  [],
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

/** Code padding as GNU as writes it: nops, after a jump over them when there are many. */
function nopFill(n: number): number[] {
  const out: number[] = [];
  if (Math.floor(n / 11) > 7) {
    if (n - 2 <= 127) {
      out.push(0xeb, n - 2);
      n -= 2;
    } else {
      n -= 5;
      out.push(0xe9);
      pushInt(out, BigInt(n), 4);
    }
  }
  while (n > 11) {
    out.push(...NOPS[11]);
    n -= 11;
  }
  out.push(...NOPS[n]);
  return out;
}

/** What pass 1 makes of an instruction: a relaxable branch (its short and near encodings) or fixed bytes. */
type Encoding = { branch: [Encoded, Encoded] } | { fixed: Encoded };

/**
 * Encodings by instruction, kept for the life of the process: a rebuild (watch mode, the build
 * server) encodes only the instructions it has not met, and a program encodes each distinct
 * instruction once. Shared, so never changed: a fragment's bytes are copied before its fixups are
 * applied. An instruction that fails to encode is not kept (its error is reported where it is).
 */
const encodings = new Map<string, Encoding>();
const MAX_ENCODINGS = 1 << 18;

function remembered(key: string, make: () => Encoding): Encoding {
  let e = encodings.get(key);
  if (!e) {
    e = make();
    if (encodings.size >= MAX_ENCODINGS) encodings.clear();
    encodings.set(key, e);
  }
  return e;
}

/** An instruction's identity for encoding: everything the encoder reads but its source location
 *  (read only by errors, which are not kept). Names carry their length, so keys cannot run together. */
function instrKey(ins: Instr, mode: Mode): string {
  const sym = (v: SymValue) => `${v.sym === undefined ? '-' : `${v.sym.length}:${v.sym}`}@${v.reloc ?? ''}${v.addend}`;
  let k = `${mode} ${ins.mnem.length}:${ins.mnem} ${ins.prefixes?.join(',') ?? ''}`;
  for (const o of ins.ops) {
    if (o.kind === 'reg') k += `|r${o.reg}`;
    else if (o.kind === 'mem') k += `|m${o.seg ?? ''},${sym(o.disp)},${o.base ?? ''},${o.index ?? ''},${o.scale ?? ''}`;
    else k += `|${o.kind}${sym(o.value)}`;
  }
  return k;
}

const FLAG_CHARS: Record<string, number> = { a: SHF_ALLOC, w: SHF_WRITE, x: SHF_EXECINSTR, M: SHF_MERGE, S: SHF_STRINGS };

class Assembler {
  bag = new DiagnosticBag();
  secs: SecState[] = [];
  byName = new Map<string, SecState>();
  cur!: SecState;
  mode: Mode = 64;
  syms = new Map<string, SymDef>();
  binding = new Map<string, 'global' | 'local' | 'weak'>();
  types = new Map<string, 'function' | 'object'>();
  sizes = new Map<string, { expr: Expr; at: Place; loc?: SourceLoc }>();
  firstRef = new Map<string, SourceLoc | undefined>();
  sets = false; // a `.set` seen: a group's operands could fold its value

  constructor(public name: string) {
    // GNU as always has these three, in this order; code starts in .text.
    for (const n of ['.text', '.data', '.bss']) this.section(n);
    this.cur = this.secs[0];
  }

  section(name: string, flags?: string, type?: string, loc?: SourceLoc): SecState {
    let s = this.byName.get(name);
    if (!s) {
      const d = defaultSectionFlags(name);
      let f = d.flags;
      if (flags !== undefined) {
        f = 0;
        for (const c of flags) {
          if (FLAG_CHARS[c] === undefined) this.bag.error('ASM0020', `unknown section flag '${c}'`, loc);
          else f |= FLAG_CHARS[c];
        }
      }
      let t = d.type;
      if (type === 'nobits') t = SHT_NOBITS;
      else if (type === 'progbits') t = SHT_PROGBITS;
      else if (type !== undefined) this.bag.error('ASM0020', `unknown section type '@${type}'`, loc);
      s = { sec: newSection(name, t, f), index: this.secs.length, frags: [] };
      this.secs.push(s);
      this.byName.set(name, s);
    }
    return s;
  }

  here(): Place {
    return { sec: this.cur.index, frag: this.cur.frags.length };
  }

  define(name: string, def: SymDef, loc?: SourceLoc): void {
    const old = this.syms.get(name);
    if (old && !(old.kind === 'set' && def.kind === 'set')) {
      this.bag.error('ASM0021', `symbol '${name}' is already defined`, loc);
      return;
    }
    this.syms.set(name, def);
  }

  // ---- pass 1 ----

  item(it: Item): void {
    switch (it.kind) {
      case 'section':
        this.cur = this.section(it.name, it.flags, it.type, it.loc);
        return;
      case 'code':
        if (it.bits === 16) this.bag.error('ASM0022', '.code16 is not supported', it.loc);
        else this.mode = it.bits;
        return;
      case 'label':
        this.define(it.name, { kind: 'label', at: this.here(), loc: it.loc }, it.loc);
        return;
      case 'global':
      case 'local':
      case 'weak':
        this.binding.set(it.name, it.kind);
        return;
      case 'type':
        this.types.set(it.name, it.type);
        return;
      case 'size':
        this.sizes.set(it.name, { expr: it.expr, at: this.here(), loc: it.loc });
        return;
      case 'set': {
        const at = this.here();
        // A set whose value is a constant now is folded into later instructions, like GNU as does.
        const value = this.constNow(it.expr, it.loc);
        this.sets = true;
        this.define(it.name, { kind: 'set', expr: it.expr, at, loc: it.loc, value }, it.loc);
        return;
      }
      case 'align':
        if (it.align > this.cur.sec.align) this.cur.sec.align = it.align;
        this.push({ kind: 'align', align: it.align, fill: it.fill, max: it.max, code: (this.cur.sec.flags & SHF_EXECINSTR) !== 0, size: 0, offset: 0 });
        return;
      case 'data':
        this.push({ kind: 'data', width: it.width, values: it.values, loc: it.loc, offset: 0, dot: this.here() });
        return;
      case 'bytes':
        this.push({ kind: 'fixed', bytes: Array.from(it.bytes), fixups: [], loc: it.loc, offset: 0 });
        return;
      case 'fill':
        this.push({ kind: 'fill', count: it.count, size: it.size, value: it.value, n: 0, loc: it.loc, offset: 0, dot: this.here() });
        return;
      case 'instr':
        this.instr(it);
        return;
      case 'comment':
        return;
      case 'group':
        this.group(it);
        return;
      case 'debugvar':
      case 'cfi': {
        // Consecutive entries share one empty fragment, placed (and laid out) like code.
        const last = this.cur.frags[this.cur.frags.length - 1];
        const f = last?.kind === 'fixed' && last.bytes.length === 0 && (last.vars || last.frames) ? last : undefined;
        const frag: Frag & { kind: 'fixed' } = f ?? { kind: 'fixed', bytes: [], fixups: [], offset: 0 };
        if (it.kind === 'debugvar') (frag.vars ??= []).push(it.v);
        else (frag.frames ??= []).push(it.frame);
        if (!f) this.push(frag);
        return;
      }
    }
  }

  push(f: Frag): void {
    this.cur.frags.push(f);
  }

  /** A group: its leading alignment, then its chunk (chunkOf), or its items one by one when it
   *  has none or this place could change its bytes (64-bit code, no `.set` constant to fold). */
  group(g: Group): void {
    const chunk = this.mode === 64 && !this.sets ? chunkOf(g) : undefined;
    const types = chunk?.vars.length ? g.varTypes() : [];
    if (!chunk || !types) {
      for (const it of g.items()) this.item(it);
      return;
    }
    const locs = g.locs();
    const loc = (i: Loc | undefined) => (i === undefined ? undefined : locs[i]);
    if (chunk.lead) this.item({ ...chunk.lead, loc: loc(chunk.leadLoc) });
    const at = this.here();
    this.push({ kind: 'chunk', chunk, types, locs, offset: 0 });
    for (const [name, b] of chunk.binding) this.binding.set(name, b);
    for (const [name, t] of chunk.types) this.types.set(name, t);
    for (const l of chunk.labels) this.define(l.name, { kind: 'label', at: { ...at, delta: l.offset }, loc: loc(l.loc) }, loc(l.loc));
    for (const [name, z] of chunk.sizes) this.sizes.set(name, { expr: z.expr, at: { ...at, delta: z.offset }, loc: loc(z.loc) });
    for (const [name, l] of chunk.firstRef) if (!this.firstRef.has(name)) this.firstRef.set(name, loc(l));
  }

  /** The constant value of an expression using only numbers and already-constant set symbols. */
  constNow(e: Expr, loc?: SourceLoc): bigint | undefined {
    return constValue(e, (name) => {
      const d = this.syms.get(name);
      return d?.kind === 'set' ? d.value : undefined;
    }, this.warner(loc));
  }

  private warned = new Set<string>();
  /** Warnings at `loc`, each message once (expressions are evaluated in several passes). */
  warner(loc?: SourceLoc): Warn {
    return (message) => {
      const key = `${loc?.file}:${loc?.line}:${loc?.col}:${message}`;
      if (this.warned.has(key)) return;
      this.warned.add(key);
      this.bag.items.push({ code: 'ASM0030', message, loc, severity: 'warning' });
    };
  }

  /** Folds operands naming already-constant set symbols into plain numbers. */
  foldOperand(op: Operand): Operand {
    const fold = (v: SymValue): SymValue => {
      if (v.sym === undefined) return v;
      const d = this.syms.get(v.sym);
      if (d?.kind === 'set' && d.value !== undefined) return { addend: d.value + v.addend };
      return v;
    };
    switch (op.kind) {
      case 'imm':
        return { ...op, value: fold(op.value) };
      case 'mem':
        return { ...op, disp: fold(op.disp) };
      default:
        return op;
    }
  }

  instr(raw: Instr): void {
    const ins: Instr = { ...raw, ops: raw.ops.map((o) => this.foldOperand(o)) };
    for (const o of ins.ops) {
      const s = o.kind === 'mem' ? o.disp.sym : o.kind === 'reg' ? undefined : o.value.sym;
      if (s !== undefined && !this.firstRef.has(s)) this.firstRef.set(s, ins.loc);
    }
    try {
      const mode = this.mode;
      const enc = remembered(instrKey(ins, mode), () => {
        const warnings: string[] = [];
        const forms = matchForms(ins, mode, warnings);
        const { short, near } = branchForms(forms);
        // Both encodings now; relaxation picks one (a branch's warnings are not reported).
        if (short && near) return { branch: [encodeMatched(ins, forms, mode, [], 'short'), encodeMatched(ins, forms, mode, [], 'near')] };
        return { fixed: encodeMatched(ins, forms, mode, warnings) };
      });
      if ('branch' in enc) {
        this.push({ kind: 'branch', ins, near: false, enc: enc.branch, loc: ins.loc, offset: 0 });
        return;
      }
      const e = enc.fixed;
      for (const w of e.warnings ?? []) this.warner(ins.loc)(w);
      this.push({ kind: 'fixed', bytes: e.bytes, fixups: e.fixups, loc: ins.loc, offset: 0 });
    } catch (e) {
      if (e instanceof UserError) this.bag.items.push(...e.diagnostics);
      else throw e;
    }
  }

  // ---- symbol values ----

  isExternal(name: string): boolean {
    const b = this.binding.get(name);
    return b === 'global' || b === 'weak';
  }

  offsetOf(p: Place): bigint {
    const frags = this.secs[p.sec].frags;
    if (p.frag < frags.length) return BigInt(frags[p.frag].offset + (p.delta ?? 0));
    return BigInt(this.sizeOf(this.secs[p.sec]));
  }

  sizeOf(s: SecState): number {
    const last = s.frags[s.frags.length - 1];
    return last ? last.offset + this.fragSize(last) : 0;
  }

  /** Evaluates an expression at `dot` with the current layout; throws a diagnostic if it cannot. */
  value(e: Expr, dot: Place, loc: SourceLoc | undefined, depth = 0): Value {
    const bad = (msg: string): never => {
      throw new UserError([{ code: 'ASM0023', message: msg, loc, severity: 'error' }]);
    };
    switch (e.kind) {
      case 'num':
        return { off: e.value };
      case 'sym': {
        if (e.reloc) bad(`@${e.reloc.toUpperCase()} is supported only in an instruction operand`);
        if (e.name === '.') return { base: { sec: dot.sec, secOff: this.offsetOf(dot), name: '.', external: false }, off: 0n };
        const d = this.syms.get(e.name);
        if (!d) {
          if (!this.firstRef.has(e.name)) this.firstRef.set(e.name, loc);
          return { base: { secOff: 0n, name: e.name, external: true }, off: 0n };
        }
        if (d.kind === 'label') return { base: { sec: d.at.sec, secOff: this.offsetOf(d.at), name: e.name, external: this.isExternal(e.name) }, off: 0n };
        if (depth > 100) bad(`symbol '${e.name}' is defined in terms of itself`);
        const v = this.value(d.expr, d.at, d.loc ?? loc, depth + 1);
        // A set symbol made global is relocated against by name, like a label.
        if (v.base && !v.sub && this.isExternal(e.name)) return { base: { ...v.base, name: e.name, external: true, secOff: v.base.secOff + v.off }, off: 0n };
        return v;
      }
      case 'unary': {
        const a = this.value(e.arg, dot, loc, depth);
        if (a.base || a.sub) bad(`operator '${e.op}' needs a constant operand`);
        return { off: unaryOp(e.op, a.off) };
      }
      case 'binary': {
        const a = this.value(e.left, dot, loc, depth);
        const b = this.value(e.right, dot, loc, depth);
        if (!a.base && !a.sub && !b.base && !b.sub) {
          const r = binaryOp(e.op, a.off, b.off, this.warner(loc));
          if (r === undefined) bad(`unknown operator '${e.op}'`);
          return { off: r! };
        }
        if (e.op === '+' && !a.sub && !b.sub && (!a.base || !b.base)) return { base: a.base ?? b.base, off: a.off + b.off };
        if (e.op === '-' && !b.base && !b.sub) return { ...a, off: a.off - b.off };
        if (e.op === '-' && a.base && b.base && !a.sub && !b.sub) {
          // Difference of two places in one section: a constant. Otherwise PC-relative.
          if (a.base.sec !== undefined && a.base.sec === b.base.sec)
            return { off: a.base.secOff + a.off - (b.base.secOff + b.off) };
          if (b.base.sec !== undefined && !b.base.external) return { base: a.base, sub: { sec: b.base.sec, secOff: b.base.secOff }, off: a.off - b.off };
        }
        return bad(`expression is too complex: '${e.op}' on relocatable operands`);
      }
    }
  }

  // ---- pass 2: layout ----

  fragSize(f: Frag): number {
    switch (f.kind) {
      case 'fixed':
        return f.bytes.length;
      case 'branch':
        return this.branchLen(f);
      case 'align':
        return f.size;
      case 'fill':
        return f.n * f.size;
      case 'data':
        return f.width * f.values.length;
      case 'chunk':
        return f.chunk.bytes.length;
    }
  }

  branchLen(f: Frag & { kind: 'branch' }): number {
    return f.enc[f.near ? 1 : 0].bytes.length;
  }

  /** Is this branch target a label in the same section, reachable without a relocation? */
  localTarget(f: Frag & { kind: 'branch' }, sec: number): bigint | undefined {
    const t = f.ins.ops[0];
    if (t.kind !== 'target' || t.value.sym === undefined) return undefined;
    const d = this.syms.get(t.value.sym);
    if (d?.kind !== 'label' || d.at.sec !== sec || this.binding.get(t.value.sym) === 'weak') return undefined;
    return this.offsetOf(d.at) + t.value.addend;
  }

  layout(): void {
    for (let round = 0; ; round++) {
      let changed = false;
      for (const s of this.secs) {
        let off = 0;
        s.frags.forEach((f, i) => {
          f.offset = off;
          if (f.kind === 'align') {
            const pad = (f.align - (off % f.align)) % f.align;
            const size = f.max !== undefined && pad > f.max ? 0 : pad;
            if (size !== f.size) changed = true;
            f.size = size;
          } else if (f.kind === 'fill') {
            const n = this.fillCount(f, { sec: s.index, frag: i });
            if (n !== f.n) changed = true;
            f.n = n;
          }
          off += this.fragSize(f);
        });
      }
      for (const s of this.secs) {
        for (const f of s.frags) {
          if (f.kind !== 'branch' || f.near) continue;
          const target = this.localTarget(f, s.index);
          const end = BigInt(f.offset + this.branchLen(f));
          if (target === undefined || target - end < -128n || target - end > 127n) {
            f.near = true;
            changed = true;
          }
        }
      }
      if (!changed) return;
      if (round > 1000) {
        this.bag.error('ASM0024', 'layout does not settle (a .fill count depends on itself?)');
        return;
      }
    }
  }

  fillCount(f: Frag & { kind: 'fill' }, at: Place): number {
    try {
      const v = this.value(f.count, at, f.loc);
      if (v.base || v.sub) throw new UserError([{ code: 'ASM0023', message: 'fill count must be a constant', loc: f.loc, severity: 'error' }]);
      if (v.off < 0n) return 0;
      if (v.off > 1n << 28n) throw new UserError([{ code: 'ASM0023', message: `fill count ${v.off} is too large`, loc: f.loc, severity: 'error' }]);
      return Number(v.off);
    } catch (e) {
      // Forward references settle in later rounds; a real error is reported when writing.
      if (e instanceof UserError) return f.n;
      throw e;
    }
  }

  // ---- pass 3: bytes, relocations, symbols ----

  out!: ObjectFile;
  symIndex = new Map<string, number>();
  secSym: number[] = [];

  write(): ObjectFile {
    this.out = { name: this.name, sections: this.secs.map((s) => s.sec), symbols: [] };
    this.secs.forEach((s, i) => {
      this.secSym[i] = this.out.symbols.length;
      this.out.symbols.push({ name: '', section: i, value: 0n, size: 0, binding: 'local', type: 'section' });
    });
    for (const s of this.secs) this.writeSection(s);
    this.writeSymbols();
    return this.out;
  }

  /**
   * The section's bytes, written at each fragment's laid-out offset into one buffer of the final
   * size (no per-byte arrays: constant data and zero fills are bulk copies, or nothing at all). A
   * @nobits section such as .bss gets no buffer: it needs only its size, and its contents are
   * checked to be zeros.
   */
  writeSection(s: SecState): void {
    const sec = s.sec;
    const last = s.frags[s.frags.length - 1];
    const size = last ? last.offset + this.fragSize(last) : 0;
    const data = sec.type === SHT_NOBITS ? undefined : new Uint8Array(size); // starts zeroed
    let nonzero = false;
    const put = (at: number, b: ArrayLike<number>) => {
      if (data) data.set(b, at);
      else if (!nonzero) for (let k = 0; k < b.length; k++) if (b[k]) nonzero = true;
    };
    s.frags.forEach((f, i) => {
      const at: Place = { sec: s.index, frag: i };
      try {
        switch (f.kind) {
          case 'fixed': {
            if (f.fixups.length || f.loc) this.line(sec, f.offset, f.loc);
            if (f.vars) for (const v of f.vars) (sec.vars ??= []).push({ ...v, offset: f.offset });
            if (f.frames) for (const e of f.frames) (sec.frames ??= []).push({ ...e, offset: f.offset });
            const b = f.fixups.length ? f.bytes.slice() : f.bytes;
            for (const fx of f.fixups) this.fixup(s, f.offset, b, fx, f.loc, at);
            put(f.offset, b);
            break;
          }
          case 'branch': {
            this.line(sec, f.offset, f.loc);
            const e = f.enc[f.near ? 1 : 0];
            const bytes = e.bytes.slice();
            const target = this.localTarget(f, s.index);
            for (const fx of e.fixups) {
              // A jump within the section is resolved here, even to a global label (as GNU as does).
              if (target !== undefined) this.store(bytes, fx, target + fx.addend - BigInt(f.offset + fx.offset) - (f.ins.ops[0] as { value: SymValue }).value.addend, true, f.loc);
              else this.fixup(s, f.offset, bytes, fx, f.loc, at);
            }
            put(f.offset, bytes);
            break;
          }
          case 'align':
            if (f.fill === undefined && f.code) put(f.offset, nopFill(f.size));
            else if (f.fill) put(f.offset, new Array(f.size).fill(f.fill));
            break;
          case 'fill': {
            const v = this.value(f.count, f.dot, f.loc);
            if (v.base || v.sub) this.bag.error('ASM0023', 'fill count must be a constant', f.loc);
            const val = this.value(f.value, f.dot, f.loc);
            if (val.base || val.sub) this.bag.error('ASM0023', 'fill value must be a constant', f.loc);
            // GNU as: a value wider than 4 bytes is the 4-byte value zero-extended.
            const unit: number[] = [];
            pushInt(unit, BigInt.asUintN(32, val.off), Math.min(f.size, 4));
            while (unit.length < f.size) unit.push(0);
            if (f.n && unit.some((b) => b !== 0)) for (let k = 0; k < f.n; k++) put(f.offset + k * f.size, unit);
            break;
          }
          case 'chunk': {
            const c = f.chunk;
            for (const l of c.lines) this.line(sec, f.offset + l.offset, f.locs[l.loc]);
            for (const v of c.vars) (sec.vars ??= []).push({ ...v, type: v.type === undefined ? undefined : f.types[v.type], offset: f.offset + v.offset });
            for (const e of c.frames) (sec.frames ??= []).push({ ...e, offset: f.offset + e.offset });
            // Straight into the section's buffer, where the fixups complete it.
            const b = data ? data.subarray(f.offset, f.offset + c.bytes.length) : c.bytes.slice();
            b.set(c.bytes);
            for (const x of c.fixups) {
              try {
                this.fixup(s, f.offset, b, x.fx, x.loc === undefined ? undefined : f.locs[x.loc], { ...at, delta: x.at });
              } catch (e) {
                if (e instanceof UserError) this.bag.items.push(...e.diagnostics);
                else throw e;
              }
            }
            if (!data) put(f.offset, b);
            break;
          }
          case 'data':
            f.values.forEach((e, k) => {
              const b: number[] = new Array(f.width).fill(0);
              const fx: Fixup = { offset: 0, size: f.width, kind: 'abs', sym: '', addend: 0n };
              this.dataValue(s, f.offset + k * f.width, b, fx, e, f.loc, { ...f.dot, delta: k * f.width });
              put(f.offset + k * f.width, b);
            });
            break;
        }
      } catch (e) {
        if (e instanceof UserError) this.bag.items.push(...e.diagnostics);
        else throw e;
        put(f.offset, new Uint8Array(this.fragSize(f))); // zeros in place of what could not be encoded
      }
    });
    if (nonzero) this.bag.error('ASM0025', `section '${sec.name}' holds only zeros (it is @nobits)`);
    sec.data = data ?? new Uint8Array(0);
    sec.size = size;
  }

  line(sec: Section, offset: number, loc?: SourceLoc): void {
    if (loc) sec.lines.push({ offset, loc });
  }

  /** An instruction's fixup: symbol + addend, PC-relative or absolute. */
  fixup(s: SecState, fragOff: number, bytes: Bytes, fx: Fixup, loc: SourceLoc | undefined, at: Place): void {
    const v = this.value({ kind: 'sym', name: fx.sym }, at, loc);
    v.off += fx.addend;
    const got = GOT_RELOC[fx.kind];
    if (got !== undefined) {
      this.symbolFor('_GLOBAL_OFFSET_TABLE_'); // GNU as declares it (undefined) in an object that uses the GOT
      return this.reloc(s, fragOff + fx.offset, got, { base: { secOff: 0n, name: fx.sym, external: true }, off: fx.addend }, loc);
    }
    if (fx.kind === 'pc' || fx.kind === 'branch' || fx.kind === 'plt') {
      if (v.sub) this.fail('a PC-relative operand must be symbol + constant', loc);
      const P = BigInt(fragOff + fx.offset);
      // A local label of this section: the distance is known, no relocation.
      if (v.base && v.base.sec === s.index && !v.base.external) {
        return this.store(bytes, fx, v.base.secOff + v.off - P, true, loc);
      }
      if (!v.base) this.fail('a PC-relative operand must refer to a symbol', loc);
      const type = fx.size === 1 ? R_X86_64_PC8 : fx.kind === 'plt' || (fx.kind === 'branch' && v.base!.external) ? R_X86_64_PLT32 : R_X86_64_PC32;
      return this.reloc(s, fragOff + fx.offset, type, v, loc);
    }
    this.absolute(s, fragOff, bytes, fx, v, loc);
  }

  /** A data directive's value: like an absolute fixup, but PC-relative data is possible too. */
  dataValue(s: SecState, fragOff: number, bytes: Bytes, fx: Fixup, e: Expr, loc: SourceLoc | undefined, dot: Place): void {
    const v = this.value(e, dot, loc);
    if (v.sub) {
      if (v.sub.sec !== s.index) this.fail('PC-relative data must subtract a place in its own section', loc);
      const P = BigInt(fragOff + fx.offset);
      // S + A - P = target - sub: A = off + (P - sub)
      const w = { ...v, sub: undefined, off: v.off + (P - v.sub.secOff) };
      const type = { 1: R_X86_64_PC8, 2: R_X86_64_PC16, 4: R_X86_64_PC32, 8: R_X86_64_PC64 }[fx.size];
      return this.reloc(s, fragOff + fx.offset, type, w, loc);
    }
    if (!v.base && fx.size < 8) {
      // GNU as keeps the low bytes of a constant, warning unless it fits as signed or unsigned.
      const bits = BigInt(fx.size * 8);
      const u = BigInt.asUintN(64, v.off);
      if (u >> bits !== 0n && BigInt.asUintN(64, -v.off) >> bits !== 0n)
        this.warner(loc)(`value 0x${u.toString(16)} truncated to 0x${BigInt.asUintN(Number(bits), u).toString(16)}`);
      return this.store(bytes, fx, BigInt.asUintN(Number(bits), u), false, loc);
    }
    this.absolute(s, fragOff, bytes, fx, v, loc);
  }

  absolute(s: SecState, fragOff: number, bytes: Bytes, fx: Fixup, v: Value, loc: SourceLoc | undefined): void {
    if (!v.base) return this.store(bytes, fx, v.off, fx.kind === 'abs32s', loc);
    const type = fx.size === 8 ? R_X86_64_64 : fx.size === 4 ? (fx.kind === 'abs32s' ? R_X86_64_32S : R_X86_64_32) : fx.size === 2 ? R_X86_64_16 : R_X86_64_8;
    this.reloc(s, fragOff + fx.offset, type, v, loc);
  }

  store(bytes: Bytes, fx: Fixup, v: bigint, signed: boolean, loc?: SourceLoc): void {
    const bits = BigInt(fx.size * 8);
    const min = -(1n << (bits - 1n));
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (fx.size < 8 && (v < min || v > max)) this.fail(`value ${v} does not fit in ${fx.size} byte${fx.size > 1 ? 's' : ''}`, loc);
    const tmp: number[] = [];
    pushInt(tmp, v, fx.size);
    for (let i = 0; i < fx.size; i++) bytes[fx.offset + i] = tmp[i];
  }

  reloc(s: SecState, offset: number, type: number, v: Value, loc?: SourceLoc): void {
    const b = v.base!;
    let symbol: number;
    let addend = v.off;
    if (b.external || b.sec === undefined) {
      symbol = this.symbolFor(b.name);
    } else {
      symbol = this.secSym[b.sec];
      addend += b.secOff;
    }
    const r: Relocation = { offset, type, symbol, addend };
    if (loc) r.loc = loc;
    s.sec.relocs.push(r);
  }

  fail(msg: string, loc?: SourceLoc): never {
    throw new UserError([{ code: 'ASM0026', message: msg, loc, severity: 'error' }]);
  }

  /** The symbol-table index for a symbol referred to by name (created as undefined if needed). */
  symbolFor(name: string): number {
    let i = this.symIndex.get(name);
    if (i === undefined) {
      i = this.out.symbols.length;
      this.symIndex.set(name, i);
      this.out.symbols.push({ name, section: 'undef', value: 0n, size: 0, binding: 'global', type: 'notype', loc: this.firstRef.get(name) });
    }
    return i;
  }

  writeSymbols(): void {
    // Defined symbols: labels and set symbols, except assembler-local `.L` names.
    for (const [name, d] of this.syms) {
      if (name.startsWith('.L')) continue;
      const bind = this.binding.get(name) ?? 'local';
      const sym: ObjSymbol = { name, section: 'abs', value: 0n, size: 0, binding: bind === 'weak' ? 'weak' : bind === 'global' ? 'global' : 'local', type: 'notype', loc: d.loc };
      try {
        const v = this.value({ kind: 'sym', name }, d.at, d.loc);
        if (v.sub) throw new UserError([{ code: 'ASM0023', message: `symbol '${name}' has no value in any section`, loc: d.loc, severity: 'error' }]);
        if (v.base && v.base.sec === undefined) continue; // an alias of an undefined symbol
        sym.section = v.base ? v.base.sec! : 'abs';
        sym.value = (v.base ? v.base.secOff : 0n) + v.off;
      } catch (e) {
        if (e instanceof UserError) this.bag.items.push(...e.diagnostics);
        else throw e;
        continue;
      }
      const t = this.types.get(name);
      if (t) sym.type = t === 'function' ? 'func' : 'object';
      const sz = this.sizes.get(name);
      if (sz) {
        try {
          const v = this.value(sz.expr, sz.at, sz.loc);
          if (v.base || v.sub) this.bag.error('ASM0023', `.size of '${name}' is not a constant`, sz.loc);
          else sym.size = Number(v.off);
        } catch (e) {
          if (e instanceof UserError) this.bag.items.push(...e.diagnostics);
          else throw e;
        }
      }
      const existing = this.symIndex.get(name);
      if (existing !== undefined) this.out.symbols[existing] = sym;
      else {
        this.symIndex.set(name, this.out.symbols.length);
        this.out.symbols.push(sym);
      }
    }
    // `.globl x` with no definition declares an undefined global.
    for (const [name, b] of this.binding) {
      if (b !== 'local' && !this.syms.has(name)) {
        const i = this.symbolFor(name);
        if (b === 'weak') this.out.symbols[i].binding = 'weak';
      }
    }
  }
}

const chunks = new Map<string, Chunk | null>(); // by group key; null: the group has none
const MAX_CHUNKS = 1 << 14;

/**
 * A group's chunk: its items assembled alone, from the first round's layout on. None when they
 * hold anything whose bytes depend on where the group lies or on what surrounds it (alignment,
 * data, another section, a branch leaving it, a `.set`), or any diagnostic: then the items are
 * assembled in place, as any others, and report there.
 */
function chunkOf(g: Group): Chunk | undefined {
  let c = chunks.get(g.key);
  if (c === undefined) {
    c = makeChunk(g.items()) ?? null;
    if (chunks.size >= MAX_CHUNKS) chunks.clear();
    chunks.set(g.key, c);
  }
  return c ?? undefined;
}

function makeChunk(items: Item[]): Chunk | undefined {
  const types = new Map(varTypes(items).map((t, i) => [t, i]));
  const places = new Map(itemLocs(items).map((l, i) => [l, i]));
  const ix = (l: SourceLoc | undefined): Loc | undefined => (l === undefined ? undefined : places.get(l));
  const first = items[0]?.kind === 'align' ? items[0] : undefined;
  const lead = first && { ...first, loc: undefined };
  const a = new Assembler('group');
  for (const it of lead ? items.slice(1) : items) {
    if (it.kind === 'group' || it.kind === 'section' || it.kind === 'code' || it.kind === 'set') return undefined;
    a.item(it);
  }
  if (a.bag.items.length || a.secs.some((x) => x.index !== 0 && x.frags.length)) return undefined;
  a.layout();
  if (a.bag.items.length) return undefined;
  const s = a.secs[0];
  const c: Chunk = {
    lead, leadLoc: ix(first?.loc), bytes: new Uint8Array(a.sizeOf(s)), fixups: [], lines: [], vars: [], frames: [], labels: [],
    binding: [...a.binding], types: [...a.types], sizes: [], firstRef: [...a.firstRef].map(([n, l]) => [n, ix(l)]),
  };
  for (const f of s.frags) {
    if (f.kind === 'fixed') {
      if (f.loc) c.lines.push({ offset: f.offset, loc: ix(f.loc)! });
      for (const v of f.vars ?? []) c.vars.push({ ...v, type: v.type && types.get(v.type), offset: f.offset });
      for (const e of f.frames ?? []) c.frames.push({ ...e, offset: f.offset });
      for (const fx of f.fixups) c.fixups.push({ at: f.offset, fx: { ...fx, offset: f.offset + fx.offset }, loc: ix(f.loc) });
      c.bytes.set(f.bytes, f.offset);
    } else if (f.kind === 'branch') {
      const target = a.localTarget(f, 0);
      if (target === undefined) return undefined;
      if (f.loc) c.lines.push({ offset: f.offset, loc: ix(f.loc)! });
      const e = f.enc[f.near ? 1 : 0];
      const bytes = e.bytes.slice();
      const addend = (f.ins.ops[0] as { value: SymValue }).value.addend;
      try {
        for (const fx of e.fixups) a.store(bytes, fx, target + fx.addend - BigInt(f.offset + fx.offset) - addend, true, f.loc);
      } catch {
        return undefined;
      }
      c.bytes.set(bytes, f.offset);
    } else return undefined;
  }
  for (const [name, d] of a.syms) {
    if (d.kind !== 'label' || d.at.sec !== 0) return undefined;
    c.labels.push({ name, offset: Number(a.offsetOf(d.at)), loc: ix(d.loc) });
  }
  for (const [name, z] of a.sizes) c.sizes.push([name, { expr: z.expr, offset: Number(a.offsetOf(z.at)), loc: ix(z.loc) }]);
  return c;
}

/** Assembles items into an object file; throws UserError with every diagnostic found. */
export function assemble(items: Item[], name: string, warnings?: Diagnostic[]): ObjectFile {
  const a = new Assembler(name);
  try {
    for (const it of items) a.item(it);
    a.bag.check();
    a.layout();
    const obj = a.write();
    a.bag.check();
    for (const s of obj.sections) s.relocs.sort((x, y) => x.offset - y.offset);
    return obj;
  } finally {
    warnings?.push(...a.bag.items.filter((d) => d.severity === 'warning'));
  }
}
