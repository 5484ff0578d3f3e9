// One instruction record -> machine code bytes plus fixups, driven only by the table in isa.ts.
//
// The encoder knows nothing about sections or symbol values: every operand that names a symbol
// becomes a fixup (a hole in the bytes) that the assembler either fills itself (a branch to a label
// in the same section) or turns into an ELF relocation. Operands naming absolute constants must
// already have been folded to numbers by the caller.

import { fail } from '../../linker/diag.js';
import type { SourceLoc } from '../../linker/object.js';
import type { Instr, MemOperand, Operand, SymValue } from './items.js';
import { BY_MNEMONIC, PREFIXES, REGS, SEG_PREFIX, type Form, type Kind, type RegInfo } from './isa.js';

export type Mode = 32 | 64;

/** How a fixup's value is computed and stored. */
export type FixupKind =
  | 'abs' // S + A, zero-extended field (R_X86_64_8/16/32/64)
  | 'abs32s' // S + A, sign-extended 32-bit field (R_X86_64_32S)
  | 'pc' // S + A - P (R_X86_64_PC32 / PC8)
  | 'branch'; // S + A - P for a call/jmp/jcc target (R_X86_64_PLT32 when the target is global)

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
}

/** Branch width for forms that exist both as rel8 and rel32; the assembler relaxes between them. */
export type BranchSize = 'short' | 'near';

const err = (code: string, msg: string, loc?: SourceLoc): never => fail(code, msg, loc);

const IMM_KINDS = new Set<Kind>(['i8', 's8', 'u8', 'i16', 'i32', 's32', 'i64']);
const IMM_BYTES: Partial<Record<Kind, 1 | 2 | 4 | 8>> = { i8: 1, s8: 1, u8: 1, i16: 2, i32: 4, s32: 4, i64: 8 };
const GPR_KIND: Partial<Record<Kind, number>> = { r8: 8, r16: 16, r32: 32, r64: 64, rm8: 8, rm16: 16, rm32: 32, rm64: 64 };
const FIXED_REG = new Set<Kind>(['al', 'ax', 'eax', 'rax', 'cl', 'dx', 'fs', 'gs']);

function reg(name: string): RegInfo | undefined {
  return REGS.get(name);
}

/** Value range of each immediate kind; `s8` and `s32` are checked after wrapping to the operation width. */
function immFits(kind: Kind, v: bigint, size: number): boolean {
  switch (kind) {
    case 'i8':
      return v >= -128n && v <= 255n;
    case 'u8':
      return v >= 0n && v <= 255n;
    case 'i16':
      return v >= -32768n && v <= 65535n;
    case 'i32':
      return v >= -(1n << 31n) && v <= 0xffffffffn;
    case 'i64':
      return v >= -(1n << 63n) && v < 1n << 64n;
    case 's8':
    case 's32': {
      const bits = BigInt(size || 64);
      // GNU as reads $0xffff in a 16-bit operation as -1: wrap to the width first.
      if (v < -(1n << (bits - 1n)) || v >= 1n << bits) return false;
      const s = BigInt.asIntN(Number(bits), v);
      const lim = kind === 's8' ? 128n : 1n << 31n;
      return s >= -lim && s < lim;
    }
    default:
      return false;
  }
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
    if (k === 'cr' || k === 'dr' || k === 'sreg') return r.cls === k;
    return false;
  }
  if (op.kind === 'mem') {
    if (k === 'moffs') return isMoffs(op) && op.base !== 'rip';
    return k === 'm' || k.startsWith('rm');
  }
  if (op.kind === 'target') return k === 'rel8' || k === 'rel32';
  // immediate
  if (k === 'one') return op.value.sym === undefined && op.value.addend === 1n;
  if (k === 'three') return op.value.sym === undefined && op.value.addend === 3n;
  if (!IMM_KINDS.has(k)) return false;
  if (op.value.sym !== undefined) return k !== 's8' && k !== 'u8';
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

/** All forms matching the instruction, or a diagnostic saying why none does. */
export function matchForms(ins: Instr, mode: Mode): Form[] {
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
  if (sized.length === 0) return err('ASM0005', `no size suffix and no register operand to give the size of '${ins.mnem}'`, ins.loc);
  return sized.map((r) => r.form);
}

interface Rex {
  w: boolean;
  r: boolean;
  x: boolean;
  b: boolean;
  force: boolean; // spl/bpl/sil/dil need a REX prefix even when no bit is set
}

/** ModRM (+SIB, +displacement) for a memory operand; `regField` is the reg/digit. */
function encodeMem(m: MemOperand, regField: number, mode: Mode, rex: Rex, out: number[], fix: Fixup[], loc?: SourceLoc): void {
  const base = m.base ? reg(m.base) : undefined;
  const index = m.index ? reg(m.index) : undefined;
  if (m.base && (!base || (base.cls !== 'gpr' && base.cls !== 'rip'))) err('ASM0006', `bad base register '%${m.base}'`, loc);
  if (m.index && (!index || index.cls !== 'gpr' || index.num === 4))
    err('ASM0006', `bad index register '%${m.index}'`, loc);
  const rf = (regField & 7) << 3;
  const disp = m.disp;
  const dispFix = (size: 1 | 4, kind: Fixup['kind']) => {
    if (disp.sym !== undefined) fix.push({ offset: out.length, size, kind, sym: disp.sym, addend: disp.addend });
    pushInt(out, disp.sym !== undefined ? 0n : disp.addend, size);
  };
  const absKind: Fixup['kind'] = mode === 64 ? 'abs32s' : 'abs';
  checkDisp(disp, mode, loc);
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
  let noRex = false;
  for (const op of ops) {
    if (op.kind !== 'reg') continue;
    const r = reg(op.reg)!;
    if (r.rexOnly) rex.force = true;
    if (r.noRex) noRex = true;
    if (mode === 32 && r.cls === 'gpr' && (r.num >= 8 || r.size === 64 || r.rexOnly)) err('ASM0007', `register '%${op.reg}' is not available in 32-bit mode`, loc);
  }

  // Which operand goes where: ModRM.rm, ModRM.reg, opcode+r, immediates.
  let rmIdx = f.ops.findIndex((k) => k.startsWith('rm') || k === 'm');
  let regIdx = -1;
  const isRegKind = (k: Kind) => GPR_KIND[k] !== undefined || k === 'cr' || k === 'dr' || k === 'sreg';
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

  let addr32 = false;
  let seg: number | undefined;
  if (f.ext !== undefined && rmIdx >= 0) {
    const rm = ops[rmIdx];
    if (rm.kind === 'reg') {
      const n = reg(rm.reg)!.num;
      rex.b = n >= 8;
      body.push(0xc0 | ((regNum & 7) << 3) | (n & 7));
    } else if (rm.kind === 'mem') {
      addr32 = addrSize(rm, mode, loc) === 32 && mode === 64;
      if (rm.seg) seg = SEG_PREFIX[rm.seg];
      encodeMem(rm, regNum, mode, rex, body, fix, loc);
    }
  }
  // Absolute-address (moffs) forms: the address is an immediate of address size.
  const moffsIdx = f.ops.indexOf('moffs');
  if (moffsIdx >= 0) {
    const m = ops[moffsIdx] as MemOperand;
    if (m.seg) seg = SEG_PREFIX[m.seg];
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
    if (v.sym !== undefined) fix.push({ offset: body.length, size, kind: f.ops[i] === 's32' ? 'abs32s' : 'abs', sym: v.sym, addend: v.addend });
    pushInt(body, v.sym !== undefined ? 0n : v.addend, size);
  }
  // Branch targets.
  const relIdx = f.ops.findIndex((k) => k === 'rel8' || k === 'rel32');
  if (relIdx >= 0) {
    const t = (ops[relIdx] as { value: SymValue }).value;
    const size = f.ops[relIdx] === 'rel8' ? 1 : 4;
    if (t.sym === undefined) err('ASM0008', 'a branch target must be a symbol', loc);
    // GNU as uses PLT32 for 64-bit code only; 32-bit code branches with PC32.
    fix.push({ offset: body.length, size, kind: mode === 64 ? 'branch' : 'pc', sym: t.sym!, addend: t.addend });
    pushInt(body, 0n, size);
  }

  // Prefixes in GNU as's order: segment, address size, operand size, rep, lock, REX.
  const pre: number[] = [];
  if (seg !== undefined) pre.push(seg);
  if (addr32) pre.push(0x67);
  if (f.size === 16 && !f.no66) pre.push(0x66);
  if (f.pfx !== undefined) pre.push(f.pfx);
  const user = ins.prefixes ?? [];
  for (const p of user) {
    if (PREFIXES[p] === undefined) err('ASM0009', `unknown prefix '${p}'`, loc);
    if (p !== 'lock') pre.push(PREFIXES[p]);
  }
  if (user.includes('lock')) pre.push(0xf0);
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
    if (fx.kind === 'pc' || fx.kind === 'branch') fx.addend -= BigInt(len - fx.offset);
  }
  return { bytes, fixups: fix };
}

/** True if some form of this instruction is a relaxable direct branch (both rel8 and rel32 exist). */
export function branchForms(forms: Form[]): { short?: Form; near?: Form } {
  return { short: forms.find((f) => f.ops[0] === 'rel8'), near: forms.find((f) => f.ops[0] === 'rel32') };
}

/** Picks the shortest encoding among matching forms (ties: table order, like GNU as). */
export function encode(ins: Instr, mode: Mode, branch: BranchSize = 'near'): Encoded {
  let forms = matchForms(ins, mode);
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
  return best;
}

