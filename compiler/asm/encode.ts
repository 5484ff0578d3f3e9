// One instruction record -> machine code bytes plus fixups, driven only by the table in isa.ts.
//
// The encoder knows nothing about sections or symbol values: every operand that names a symbol
// becomes a fixup (a hole in the bytes) that the assembler either fills itself (a branch to a label
// in the same section) or turns into an ELF relocation. Operands naming absolute constants must
// already have been folded to numbers by the caller.

import { fail } from '../../linker/diag.js';
import type { SourceLoc } from '../../linker/object.js';
import type { Instr, MemOperand, Operand, SymValue } from './items.js';
import { BY_MNEMONIC, DEFAULT_WARNING, PREFIXES, REGS, SEG_PREFIX, type Form, type FormRef, type Kind, type Prefix, type RegInfo } from './isa.js';

export type Mode = 32 | 64;

/** How a fixup's value is computed and stored. */
export type FixupKind =
  | 'abs' // S + A, zero-extended field (R_X86_64_8/16/32/64)
  | 'abs32s' // S + A, sign-extended 32-bit field (R_X86_64_32S)
  | 'pc' // S + A - P (R_X86_64_PC32 / PC8)
  | 'branch' // S + A - P for a call/jmp/jcc target (R_X86_64_PLT32 when the target is global)
  | 'plt' // sym@PLT: R_X86_64_PLT32 whatever the symbol
  | 'gotpc' | 'gotx' | 'rexgotx' // sym@GOTPCREL(%rip): R_X86_64_GOTPCREL, GOTPCRELX, REX_GOTPCRELX
  | 'got'; // sym@GOTPCREL with another base: R_X86_64_GOTPCREL, the addend as written

export interface Fixup {
  offset: number; // of the field, from the start of the instruction
  size: 1 | 2 | 4 | 8;
  kind: FixupKind;
  sym: string;
  addend: bigint; // for pc/branch already includes -(distance from field to end of instruction)
}

export interface Encoded {
  bytes: number[];
  fixups: Fixup[];
  warnings?: string[]; // e.g. an immediate shortened to its operand's width
}

/** Branch width for forms that exist both as rel8 and rel32; the assembler relaxes between them. */
export type BranchSize = 'short' | 'near';

const err = (code: string, msg: string, loc?: SourceLoc): never => fail(code, msg, loc);

const IMM_KINDS = new Set<Kind>(['i8', 's8', 'u8', 'c8', 'i16', 'u16', 'i32', 's32', 'i64']);
const IMM_BYTES: Partial<Record<Kind, 1 | 2 | 4 | 8>> = { i8: 1, s8: 1, u8: 1, c8: 1, i16: 2, u16: 2, i32: 4, s32: 4, i64: 8 };
/** Kinds that take any value and keep its low bits, as GNU as does for the operand-width immediate. */
const TRUNCATING = new Set<Kind>(['i8', 'i16', 'i32']);
const GPR_KIND: Partial<Record<Kind, number>> = { r8: 8, r16: 16, r32: 32, r64: 64, rm8: 8, rm16: 16, rm32: 32, rm64: 64 };
const FIXED_REG = new Set<Kind>(['al', 'ax', 'eax', 'rax', 'cl', 'dx', 'fs', 'gs']);

function reg(name: string): RegInfo | undefined {
  return REGS.get(name);
}

/**
 * GNU as's warning for an immediate that loses bits when cut to `bytes` (none when the bits cut off
 * are all zeros or all ones). In 32-bit code a value that fits in 32 bits counts as signed first.
 */
export function shortened(v: bigint, bytes: number, mode: Mode): string | undefined {
  let u = BigInt.asUintN(64, v);
  if (mode === 32 && u >> 32n === 0n) u = BigInt.asUintN(64, BigInt.asIntN(32, u));
  const mask = (1n << BigInt(bytes * 8)) - 1n;
  const high = u & ~mask & ((1n << 64n) - 1n);
  if (high === 0n || high === ((1n << 64n) - 1n) - mask) return undefined;
  return `0x${u.toString(16)} shortened to 0x${(u & mask).toString(16)}`;
}

/** GNU as reads $0xffff in a 16-bit operation as -1, and $0xffffffff in a 16- or 32-bit one. */
function opWidth(v: bigint, size: number): bigint {
  if (size === 16 && v >= 0n && v <= 0xffffn) v = BigInt.asIntN(16, v);
  if (size !== 64 && v >= 0n && v <= 0xffffffffn) v = BigInt.asIntN(32, v);
  return v;
}

/** Value range of each immediate kind; `s8` and `s32` are checked after wrapping to the operation width. */
function immFits(kind: Kind, v: bigint, size: number): boolean {
  if (TRUNCATING.has(kind)) return true;
  switch (kind) {
    case 'u8':
      return v >= -128n && v <= 255n;
    case 'c8': {
      const s = opWidth(v, size);
      return s >= -128n && s <= 255n;
    }
    case 'u16':
      return v >= -32768n && v <= 65535n;
    case 'i64':
      return v >= -(1n << 63n) && v < 1n << 64n;
    case 's8':
    case 's32': {
      const s = opWidth(v, size);
      const lim = kind === 's8' ? 128n : 1n << 31n;
      return s >= -lim && s < lim;
    }
    default:
      return false;
  }
}

/** (%rsi)/(%esi) with any segment, or (%rdi)/(%edi) with none or %es: exactly, no displacement. */
function stringMem(m: MemOperand, k: 'si' | 'di'): boolean {
  if (m.index || m.disp.sym !== undefined || m.disp.addend !== 0n) return false;
  if (k === 'di' && m.seg && m.seg !== 'es') return false;
  return m.base === `r${k}` || m.base === `e${k}`;
}

function isMoffs(m: MemOperand): boolean {
  return !m.base && !m.index;
}

/** Does operand `op` fit operand kind `k` of form `f`? `strict` = also check immediate ranges. */
function fits(k: Kind, op: Operand, f: Form, strict: boolean): boolean {
  if (op.kind === 'reg') {
    const r = reg(op.reg);
    if (!r) return false;
    const gsize = GPR_KIND[k];
    if (gsize !== undefined) return r.cls === 'gpr' && r.size === gsize;
    if (FIXED_REG.has(k)) return op.reg === k;
    if (k === 'x' || k === 'xm') return r.cls === 'xmm';
    if (k === 'cr' || k === 'dr' || k === 'sreg') return r.cls === k;
    return false;
  }
  if (op.kind === 'mem') {
    if (k === 'moffs') return isMoffs(op) && op.base !== 'rip';
    // (%dx): the port register written as GNU as also allows.
    if (k === 'dx') return op.base === 'dx' && !op.index && !op.seg && op.disp.sym === undefined && op.disp.addend === 0n;
    if (op.base === 'dx') return false;
    if (k === 'si' || k === 'di') return stringMem(op, k);
    return k === 'm' || k === 'xm' || k.startsWith('rm');
  }
  if (op.kind === 'target') return k === 'rel8' || k === 'rel32';
  // immediate
  if (k === 'one') return op.value.sym === undefined && op.value.addend === 1n;
  if (k === 'three') return op.value.sym === undefined && op.value.addend === 3n;
  if (!IMM_KINDS.has(k)) return false;
  if (op.value.sym !== undefined) return k !== 's8';
  return !strict || immFits(k, op.value.addend, f.size);
}

/** A register operand in a size-giving position fixes the width when no suffix does. */
function sizedByRegister(f: Form, ops: Operand[]): boolean {
  return f.ops.some((k, i) => ops[i].kind === 'reg' && (GPR_KIND[k] !== undefined || (FIXED_REG.has(k) && k !== 'cl' && k !== 'dx')));
}

function modeOk(f: Form, mode: Mode): boolean {
  if (f.mode && f.mode !== mode) return false;
  if (mode === 32 && f.size === 64 && !f.noW) return false;
  return true;
}

/** 32-bit code computes in 32 bits: a constant immediate up to 0xffffffff is signed; wider ones are refused. */
function in32Bits(ins: Instr, mode: Mode): Instr {
  if (mode === 64) return ins;
  const ops = ins.ops.map((o) => {
    if (o.kind !== 'imm' || o.value.sym !== undefined) return o;
    const v = o.value.addend;
    if (v < -(1n << 31n) || v > 0xffffffffn) return err('ASM0003', `immediate ${v} does not fit in 32 bits (32-bit code)`, ins.loc);
    return { ...o, value: { addend: BigInt.asIntN(32, v) } };
  });
  return { ...ins, ops };
}

/** All forms matching the instruction, or a diagnostic saying why none does. */
export function matchForms(ins: Instr, mode: Mode, warnings: string[] = []): Form[] {
  ins = in32Bits(ins, mode);
  const refs = BY_MNEMONIC.get(ins.mnem);
  if (!refs) return err('ASM0001', `unknown instruction '${ins.mnem}'`, ins.loc);
  const shape = refs.filter((r) => r.form.ops.length === ins.ops.length && modeOk(r.form, mode));
  const loose = shape.filter((r) => r.form.ops.every((k, i) => fits(k, ins.ops[i], r.form, false)));
  const strict = loose.filter((r) => r.form.ops.every((k, i) => fits(k, ins.ops[i], r.form, true)));
  if (strict.length === 0) {
    if (loose.length > 0) {
      const imm = ins.ops.find((o) => o.kind === 'imm' && o.value.sym === undefined);
      const v = imm && imm.kind === 'imm' ? imm.value.addend : undefined;
      return err('ASM0003', `immediate ${v} is out of range for '${ins.mnem}'`, ins.loc);
    }
    if (shape.length === 0 && refs.every((r) => r.form.ops.length !== ins.ops.length))
      return err('ASM0002', `wrong number of operands for '${ins.mnem}'`, ins.loc);
    if (shape.length === 0) return err('ASM0002', `'${ins.mnem}' is not valid in ${mode}-bit mode`, ins.loc);
    return err('ASM0002', `operand type mismatch for '${ins.mnem}'`, ins.loc);
  }
  // Without a suffix, a width must come from a register operand or be the form's default.
  const sized = strict.filter((r) => r.suffixed || r.form.sfx === false || r.form.size === 0 || r.form.def || sizedByRegister(r.form, ins.ops));
  if (sized.length > 0) {
    const w = sized[0].form.warn;
    // The default-width warning is for 64-bit code, where the instruction has a q form too.
    if (w && (sized[0].form.sfx === false || !sized[0].suffixed) && (w !== DEFAULT_WARNING || mode === 64)) warnings.push(w === DEFAULT_WARNING ? `${w} for '${ins.mnem}'` : w);
    return sized.map((r) => r.form);
  }
  // GNU as then takes the 32-bit form, with a warning (or the 16-bit one after data16: not done here).
  if (ins.prefixes?.includes('data16')) return err('ASM0005', `no size suffix on '${ins.mnem}' after 'data16'`, ins.loc);
  // The value is not read at the guessed width: `or $0xffffffff, (%rax)` keeps its imm32.
  const raw = (r: FormRef) => r.form.ops.every((k, i) => (k !== 's8' && k !== 'c8') || fits(k, ins.ops[i], { ...r.form, size: 64 }, true));
  const dflt = strict.filter((r) => r.form.size === 32 && raw(r));
  const wide = ins.ops.find((o) => o.kind === 'imm' && o.value.sym === undefined && (o.value.addend < -(1n << 31n) || o.value.addend > 0xffffffffn));
  if (wide) return err('ASM0003', `immediate ${(wide as { value: SymValue }).value.addend} does not fit the default 32-bit size of '${ins.mnem}'`, ins.loc);
  if (dflt.length === 0) return err('ASM0005', `no size suffix and no register operand to give the size of '${ins.mnem}'`, ins.loc);
  warnings.push(`${DEFAULT_WARNING} for '${ins.mnem}'`);
  return dflt.map((r) => r.form);
}

interface Rex {
  w: boolean;
  r: boolean;
  x: boolean;
  b: boolean;
  force: boolean; // spl/bpl/sil/dil need a REX prefix even when no bit is set
}

/** ModRM (+SIB, +displacement) for a memory operand; `regField` is the reg/digit. */
/** How a memory operand's displacement is read and relocated. */
interface AddrRules {
  wide: boolean; // 32-bit address registers in 64-bit code: the displacement computes in 32 bits
  zext: boolean; // the address is zero-extended from 32 bits (addr32, or lea to a 16/32-bit register): R_X86_64_32
  gotx: boolean; // the form is a GOT load GNU as marks relaxable
}

function encodeMem(m: MemOperand, regField: number, mode: Mode, rules: AddrRules, rex: Rex, out: number[], fix: Fixup[], loc?: SourceLoc): void {
  const { wide, gotx } = rules;
  const base = m.base ? reg(m.base) : undefined;
  const index = m.index ? reg(m.index) : undefined;
  if (m.base && (!base || (base.cls !== 'gpr' && base.cls !== 'rip'))) err('ASM0006', `bad base register '%${m.base}'`, loc);
  if (m.index && (!index || index.cls !== 'gpr' || index.num === 4))
    err('ASM0006', `bad index register '%${m.index}'`, loc);
  const rf = (regField & 7) << 3;
  // In 32-bit mode a displacement is a 32-bit number: 0xffffffff is -1 (and fits a disp8).
  // So is one with 32-bit address registers, but a value that did not fit keeps a disp32 (as GNU as).
  const disp = (mode === 32 || wide) && m.disp.sym === undefined ? { addend: BigInt.asIntN(32, m.disp.addend) } : m.disp;
  const cut = disp.addend !== m.disp.addend && (m.disp.addend < -(1n << 31n) || m.disp.addend > 0xffffffffn);
  if (disp.reloc === 'plt') err('ASM0011', '@PLT is only for call and jmp targets', loc);
  const dispFix = (size: 1 | 4, kind: Fixup['kind']) => {
    // Only a RIP-relative GOT load may be relaxed by the linker; REX is known only at the end (encodeForm).
    if (disp.reloc === 'gotpcrel' && kind === 'abs') err('ASM0011', '@GOTPCREL is a signed field: not with a 32-bit address', loc);
    if (disp.reloc === 'gotpcrel') kind = base?.cls !== 'rip' ? 'got' : gotx ? 'gotx' : 'gotpc';
    if (disp.sym !== undefined) fix.push({ offset: out.length, size, kind, sym: disp.sym, addend: disp.addend });
    pushInt(out, disp.sym !== undefined ? 0n : disp.addend, size);
  };
  // A 32-bit address is zero-extended to 64 bits: R_X86_64_32 under the address-size prefix, 32S without.
  const absKind: Fixup['kind'] = mode === 64 && !rules.zext ? 'abs32s' : 'abs';
  if (!wide) checkDisp(m.disp, mode, loc);
  if (base?.cls === 'rip') {
    if (index) err('ASM0006', 'RIP-relative addressing takes no index register', loc);
    if (mode === 32) err('ASM0006', 'RIP-relative addressing needs 64-bit mode', loc);
    out.push(0x05 | rf);
    dispFix(4, 'pc');
    return;
  }
  if (index) rex.x = index.num >= 8;
  if (base) rex.b = base.num >= 8;
  const scale = { 1: 0, 2: 1, 4: 2, 8: 3 }[m.scale ?? 1];
  if (scale === undefined) err('ASM0006', `bad scale ${m.scale}`, loc);
  if (!base) {
    if (!index && mode === 32) {
      out.push(0x05 | rf); // mod 00 rm 101: disp32 alone
    } else {
      out.push(0x04 | rf, (scale! << 6) | ((index ? index.num & 7 : 4) << 3) | 5); // SIB, no base
    }
    dispFix(4, absKind);
    return;
  }
  const needSib = !!index || (base.num & 7) === 4;
  // disp8 when it fits; rbp/r13 as base cannot do without a displacement.
  let mod: number;
  if (disp.sym !== undefined) mod = 2;
  else if (cut) mod = 2;
  else if (disp.addend === 0n && (base.num & 7) !== 5) mod = 0;
  else if (disp.addend >= -128n && disp.addend <= 127n) mod = 1;
  else mod = 2;
  if (needSib) {
    out.push((mod << 6) | rf | 4, (scale! << 6) | ((index ? index.num & 7 : 4) << 3) | (base.num & 7));
  } else {
    out.push((mod << 6) | rf | (base.num & 7));
  }
  if (mod === 1) dispFix(1, absKind);
  else if (mod === 2) dispFix(4, absKind);
}

function checkDisp(d: SymValue, mode: Mode, loc?: SourceLoc): void {
  if (d.sym !== undefined) return;
  const v = d.addend;
  const ok = mode === 64 ? BigInt.asIntN(32, BigInt.asUintN(64, v)) === BigInt.asIntN(64, BigInt.asUintN(64, v)) && v >= -(1n << 63n) && v < 1n << 64n
    : v >= -(1n << 31n) && v < 1n << 32n;
  if (!ok) err('ASM0003', `displacement ${v} does not fit in 32 bits`, loc);
}

/** Checks the registers of a memory operand are all 64-bit (or all 32-bit: address-size prefix). */
function addrSize(m: MemOperand, mode: Mode, loc?: SourceLoc): 32 | 64 {
  const sizes = [m.base, m.index].filter((r): r is string => !!r && r !== 'rip').map((r) => reg(r)?.size);
  if (m.base === 'eip') return 32;
  if (sizes.some((s) => s !== sizes[0])) err('ASM0006', 'base and index registers differ in width', loc);
  const s = sizes[0] ?? mode;
  if (s !== 32 && s !== 64) err('ASM0006', '16-bit addressing is not supported', loc);
  if (mode === 32 && s === 64) err('ASM0006', '64-bit address registers are not valid in 32-bit mode', loc);
  return s as 32 | 64;
}

/**
 * The segment override prefix of a memory operand, or undefined when it names the segment the
 * address uses anyway (GNU as drops it): %ss with an rsp/rbp base, %ds otherwise (r12/r13 too).
 */
function segPrefix(m: MemOperand): number | undefined {
  if (!m.seg) return undefined;
  const base = m.base ? reg(m.base) : undefined;
  const dflt = base && base.cls === 'gpr' && (base.num === 4 || base.num === 5) ? 'ss' : 'ds';
  return m.seg === dflt ? undefined : SEG_PREFIX[m.seg];
}

/**
 * The prefix words written before an instruction, by slot, each at most once: lock only on a
 * lockable form with a memory operand, rep only where the form allows it.
 */
function userPrefixes(ins: Instr, f: Form): Partial<Record<Prefix['slot'], number>> {
  const out: Partial<Record<Prefix['slot'], number>> = {};
  for (const p of ins.prefixes ?? []) {
    const d = PREFIXES[p];
    if (d === undefined) err('ASM0009', `unknown prefix '${p}'`, ins.loc);
    if (out[d.slot] !== undefined) err('ASM0009', 'same type of prefix used twice', ins.loc);
    out[d.slot] = d.byte;
    if (d.slot === 'lock' && !(f.lock && ins.ops.some((o) => o.kind === 'mem'))) err('ASM0009', `expecting lockable instruction after 'lock'`, ins.loc);
    if (d.slot === 'data' && f.pfx === 0x66) err('ASM0009', 'same type of prefix used twice', ins.loc);
    if (d.slot === 'rep' && !f.rep) err('ASM0009', `invalid instruction '${ins.mnem}' after '${p}'`, ins.loc);
    // GNU as drops or reinterprets these on a direct branch (hints, operand size): not guessed at.
    if ((d.slot === 'seg' || d.slot === 'data' || d.slot === 'addr') && (f.far || f.ops.some((k) => k === 'rel8' || k === 'rel32')))
      err('ASM0009', `prefix '${p}' on a direct branch is not supported`, ins.loc);
  }
  return out;
}

export function pushInt(out: number[], v: bigint, size: number): void {
  const u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) out.push(Number((u >> BigInt(8 * i)) & 0xffn));
}

/** Encodes one instruction with one specific form. */
export function encodeForm(ins: Instr, f: Form, mode: Mode): Encoded {
  const ops = ins.ops;
  const loc = ins.loc;
  const rex: Rex = { w: f.size === 64 && !f.noW, r: false, x: false, b: false, force: false };
  const fix: Fixup[] = [];
  const warnings: string[] = [];
  let noRex = false;
  for (const op of ops) {
    if (op.kind !== 'reg') continue;
    const r = reg(op.reg)!;
    if (r.rexOnly) rex.force = true;
    if (r.noRex) noRex = true;
    if (mode === 32 && (r.cls === 'gpr' || r.cls === 'xmm') && (r.num >= 8 || r.size === 64 || r.rexOnly)) err('ASM0007', `register '%${op.reg}' is not available in 32-bit mode`, loc);
  }

  // Which operand goes where: ModRM.rm, ModRM.reg, opcode+r, immediates.
  let rmIdx = f.ops.findIndex((k) => k.startsWith('rm') || k === 'm' || k === 'xm');
  let regIdx = -1;
  const isRegKind = (k: Kind) => GPR_KIND[k] !== undefined || k === 'cr' || k === 'dr' || k === 'sreg' || k === 'x';
  if (typeof f.ext === 'number' && rmIdx < 0) rmIdx = f.ops.findIndex((k) => GPR_KIND[k] !== undefined);
  if (f.ext === 'r') {
    if (f.dup) {
      regIdx = rmIdx = f.ops.findIndex((k) => GPR_KIND[k] !== undefined);
    } else if (rmIdx < 0) {
      // Two register operands and no r/m kind (mov %cr0, %rax): the general register is r/m.
      rmIdx = f.ops.findIndex((k) => GPR_KIND[k] !== undefined);
      regIdx = f.ops.findIndex((k, i) => i !== rmIdx && isRegKind(k));
    } else {
      regIdx = f.ops.findIndex((k, i) => i !== rmIdx && isRegKind(k));
    }
  }
  const regOp = regIdx >= 0 ? (ops[regIdx] as { reg: string }) : undefined;
  const regNum = regOp ? reg(regOp.reg)!.num : typeof f.ext === 'number' ? f.ext : 0;
  rex.r = regNum >= 8;

  const body: number[] = [];
  const opcode = f.op.slice();
  if (f.plusr) {
    const i = f.ops.findIndex((k) => GPR_KIND[k] !== undefined);
    const n = reg((ops[i] as { reg: string }).reg)!.num;
    rex.b = n >= 8;
    opcode[opcode.length - 1] += n & 7;
  }
  body.push(...opcode);

  const user = userPrefixes(ins, f);
  let addr32 = false;
  let seg: number | undefined;
  if (f.ext !== undefined && rmIdx >= 0) {
    const rm = ops[rmIdx];
    if (rm.kind === 'reg') {
      const n = reg(rm.reg)!.num;
      rex.b = n >= 8;
      body.push(0xc0 | ((regNum & 7) << 3) | (n & 7));
    } else if (rm.kind === 'mem') {
      const size = addrSize(rm, mode, loc);
      addr32 = size === 32 && mode === 64;
      seg = segPrefix(rm);
      // A 32-bit address computes in 32 bits: 0xffffffff(%eax) is -1(%eax); wider ones lose bits, with a warning.
      const d = rm.disp;
      const cut = addr32 && d.sym === undefined && (d.addend < -(1n << 31n) || d.addend > 0xffffffffn) ? shortened(d.addend, 4, mode) : undefined;
      if (cut) warnings.push(cut);
      encodeMem(rm, regNum, mode, { wide: addr32, zext: addr32 || !!f.narrowAddr, gotx: !!f.gotx }, rex, body, fix, loc);
    }
  }
  // String operands: no ModRM; their registers give the address size, (%rsi) may name a segment.
  const strings = f.ops.map((k, i) => (k === 'si' || k === 'di' ? (ops[i] as MemOperand) : undefined)).filter((m): m is MemOperand => !!m);
  if (strings.length) {
    const sizes = strings.map((m) => reg(m.base!)!.size);
    if (sizes.some((x) => x !== sizes[0])) err('ASM0006', 'string operands differ in address size', loc);
    if (mode === 32 && sizes[0] === 64) err('ASM0006', '64-bit address registers are not valid in 32-bit mode', loc);
    addr32 = mode === 64 && sizes[0] === 32;
    const si = f.ops.indexOf('si');
    if (si >= 0) seg = segPrefix(ops[si] as MemOperand);
  }
  // Absolute-address (moffs) forms: the address is an immediate of address size.
  const moffsIdx = f.ops.indexOf('moffs');
  if (moffsIdx >= 0) {
    const m = ops[moffsIdx] as MemOperand;
    seg = segPrefix(m);
    if (m.disp.reloc) err('ASM0011', `@${m.disp.reloc.toUpperCase()} is not supported on an absolute address`, loc);
    const size = mode === 64 ? 8 : 4;
    if (m.disp.sym !== undefined) fix.push({ offset: body.length, size, kind: 'abs', sym: m.disp.sym, addend: m.disp.addend });
    pushInt(body, m.disp.sym !== undefined ? 0n : m.disp.addend, size);
  }
  // Immediates, in operand order (ljmp $sel,$off stores the offset first).
  const immIdx = f.ops.map((k, i) => (IMM_KINDS.has(k) ? i : -1)).filter((i) => i >= 0);
  if (f.far) immIdx.reverse();
  for (const i of immIdx) {
    const v = (ops[i] as { value: SymValue }).value;
    const size = IMM_BYTES[f.ops[i]]!;
    if (v.reloc) err('ASM0011', `@${v.reloc.toUpperCase()} is not supported on an immediate`, loc);
    const cut = v.sym === undefined && TRUNCATING.has(f.ops[i]) ? shortened(opWidth(v.addend, f.size === 8 ? 16 : f.size), size, mode) : undefined;
    if (cut) warnings.push(cut);
    if (v.sym !== undefined) fix.push({ offset: body.length, size, kind: f.ops[i] === 's32' ? 'abs32s' : 'abs', sym: v.sym, addend: v.addend });
    pushInt(body, v.sym !== undefined ? 0n : v.addend, size);
  }
  // Branch targets.
  const relIdx = f.ops.findIndex((k) => k === 'rel8' || k === 'rel32');
  if (relIdx >= 0) {
    const t = (ops[relIdx] as { value: SymValue }).value;
    const size = f.ops[relIdx] === 'rel8' ? 1 : 4;
    if (t.sym === undefined) err('ASM0008', 'a branch target must be a symbol', loc);
    // GNU as uses PLT32 for 64-bit code only, and only for a symbol without an offset; else PC32.
    if (t.reloc === 'gotpcrel') err('ASM0011', '@GOTPCREL is not a branch target', loc);
    if (t.reloc === 'plt' && !BY_MNEMONIC.get(ins.mnem)?.some((r) => r.form.ops[0] === 'rel32')) err('ASM0011', `@PLT needs a 32-bit branch; '${ins.mnem}' has only 8 bits`, loc);
    const kind = t.reloc === 'plt' ? 'plt' : mode === 64 && t.addend === 0n ? 'branch' : 'pc';
    fix.push({ offset: body.length, size, kind, sym: t.sym!, addend: t.addend });
    pushInt(body, 0n, size);
  }

  // Prefixes in GNU as's order: segment, address size, operand size, rep, lock, REX.
  if (user.seg !== undefined && seg !== undefined) err('ASM0009', 'same type of prefix used twice', loc);
  if (user.addr !== undefined) {
    if (mode !== 64) err('ASM0009', `'addr32' in 32-bit code is not supported`, loc);
    if (!ops.some((o) => o.kind === 'mem')) addr32 = true; // addr32 clts: the byte alone
    else if (!addr32) err('ASM0009', `'addr32' is supported only with 32-bit address registers`, loc);
  }
  if (user.data !== undefined && f.size === 16 && !f.no66) err('ASM0009', 'same type of prefix used twice', loc);
  const pre: number[] = [];
  if (seg !== undefined || user.seg !== undefined) pre.push(seg ?? user.seg!);
  if (addr32) pre.push(0x67);
  if ((f.size === 16 && !f.no66) || user.data !== undefined) pre.push(0x66);
  if (f.pfx !== undefined) pre.push(f.pfx);
  if (user.rep !== undefined) pre.push(user.rep);
  if (user.lock !== undefined) pre.push(user.lock);
  const needRex = rex.w || rex.r || rex.x || rex.b || rex.force;
  if (needRex) {
    if (mode === 32) err('ASM0007', `'${ins.mnem}' needs a REX prefix, which 32-bit mode does not have`, loc);
    if (noRex) err('ASM0007', `can't encode register '%ah', '%bh', '%ch' or '%dh' in an instruction requiring a REX prefix`, loc);
    pre.push(0x40 | (rex.w ? 8 : 0) | (rex.r ? 4 : 0) | (rex.x ? 2 : 0) | (rex.b ? 1 : 0));
  }
  const bytes = pre.concat(body);
  const len = bytes.length;
  for (const fx of fix) {
    fx.offset += pre.length;
    // PC-relative fields count from the end of the instruction.
    if (fx.kind !== 'abs' && fx.kind !== 'abs32s' && fx.kind !== 'got') fx.addend -= BigInt(len - fx.offset);
    if (fx.kind === 'gotx' && needRex) fx.kind = 'rexgotx';
  }
  return warnings.length ? { bytes, fixups: fix, warnings } : { bytes, fixups: fix };
}

/** True if some form of this instruction is a relaxable direct branch (both rel8 and rel32 exist). */
export function branchForms(forms: Form[]): { short?: Form; near?: Form } {
  return { short: forms.find((f) => f.ops[0] === 'rel8'), near: forms.find((f) => f.ops[0] === 'rel32') };
}

/** Picks the shortest encoding among the instruction's forms and warnings from matchForms (ties:
 *  table order, like GNU as). */
export function encodeMatched(ins: Instr, forms: Form[], mode: Mode, warnings: string[], branch: BranchSize = 'near'): Encoded {
  ins = in32Bits(ins, mode);
  const { short, near } = branchForms(forms);
  if (short && near) forms = [branch === 'short' ? short : near];
  // xchg %eax,%eax must zero-extend in 64-bit mode, which the one-byte form (a nop) does not.
  if (mode === 64) forms = forms.filter((f) => !(f.plusr && f.mnem === 'xchg' && f.size === 32 && ins.ops.every((o) => o.kind === 'reg' && o.reg === 'eax')));
  let best: Encoded | undefined;
  let firstError: unknown;
  for (const f of forms) {
    try {
      const e = encodeForm(ins, f, mode);
      if (!best || e.bytes.length < best.bytes.length) best = e;
    } catch (e) {
      firstError ??= e;
    }
  }
  if (!best) throw firstError;
  if (warnings.length) best.warnings = [...warnings, ...(best.warnings ?? [])];
  return best;
}

