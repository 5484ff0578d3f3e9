// Instruction selection: SSA IR -> x86-64 machine instructions over virtual registers, and the
// final emission of allocated machine code as assembler items (frame, prologue, epilogue).
//
// Selection works one IR instruction at a time, with three kinds of folding decided per block
// beforehand: address arithmetic (add, shl by 1..3, constant offsets, stack slots) into x86
// addressing modes; a compare used only by the branch or select right after it into cmp + jcc /
// cmov; and stack slot addresses into rbp-relative operands. Fixed-register constraints (argument
// and result registers, rax/rdx for division, cl for shifts, dx/al for port I/O, ...) are written
// as moves to and from physical registers; the register allocator then coalesces most of them.
// Phis become copies through a fresh temporary per phi (critical edges are split first), which
// keeps parallel-copy semantics without a swap algorithm; coalescing removes the copies.

import type { SourceLoc } from '../linker/object.js';
import type { Cls, CmpOp, Func, Inst, Value, Width } from './ir.js';
import type { Instr, Item, Operand } from './x86/items.js';
import { DWARF_REG, isNopCopy, machineVars, VarTracker, type MVar } from './varlocs.js';
import { buildCfg, instDst, instUses, loopDepths, splitCriticalEdges, succs, termUses, valueCls } from './ssa.js';

// ---------------------------------------------------------------------------------------------
// Registers and machine instructions

export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
export const R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;
/** Machine registers 0..15 are physical (x86 numbering); from 16 on they are virtual. */
export const FIRST_VREG = 16;
export const ARG_REGS = [RDI, RSI, RDX, RCX, R8, R9];
export const CALLER_SAVED = [RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11];
export const CALLEE_SAVED = [RBX, R12, R13, R14, R15];
const SYSCALL_REGS = [RAX, RDI, RSI, RDX, R10, R8, R9];

const NAMES: Record<number, string[]> = {
  8: ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'],
  4: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'],
  2: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'],
  1: ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'],
};
export function regName(r: number, sz: Size): string {
  return NAMES[sz][r];
}

export type Size = 1 | 2 | 4 | 8;
const SUFFIX: Record<Size, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };

export type MOp =
  | { k: 'reg'; r: number; sz: Size }
  | { k: 'sreg'; name: string } // control registers
  | { k: 'imm'; v: bigint; sym?: string }
  | { k: 'mem'; base?: number; index?: number; scale?: 1 | 2 | 4 | 8; disp: bigint; sym?: string; rip?: boolean; slot?: number }
  | { k: 'label'; name: string };

/** How an instruction accesses a register operand: read, written, both, or not at all (xor r,r). */
export type Acc = 'r' | 'w' | 'rw' | 'n';

export interface MInst {
  mnem: string;
  ops: MOp[];
  acc: Acc[];
  implUses?: number[];
  implDefs?: number[];
  copy?: boolean; // a plain register-to-register copy: coalescable, dropped when both sides agree
  prefixes?: string[];
  loc?: SourceLoc;
}

export interface MBlock {
  label: string;
  insts: MInst[];
  succs: number[]; // indexes into MFunc.blocks
  depth: number; // loop nesting depth, for spill costs
}

export interface MFunc {
  name: string;
  exported: boolean;
  blocks: MBlock[];
  nextReg: number;
  regSize: Map<number, 4 | 8>; // width of each virtual register's value, for spill code
  slots: { size: number; align: number }[]; // stack slots: allocas, then spills
  outArgs: number; // bytes of outgoing stack arguments
  temps: Set<number>; // spill temporaries: never spilled again
  loc?: SourceLoc;
  vars?: MVar[]; // user variables, for debug information (varlocs.ts)
}

const sizeOf = (c: Cls): Size => (c === 'w' ? 4 : 8);
const fitsS32 = (x: bigint): boolean => x >= -(1n << 31n) && x < 1n << 31n;
/** The immediate as the instruction of that width sees it (sign-extended view). */
const immOf = (x: bigint, sz: Size): bigint => BigInt.asIntN(sz * 8, x);
const immFits = (x: bigint, sz: Size): boolean => sz < 8 || fitsS32(BigInt.asIntN(64, x));

const CC: Record<CmpOp, string> = { eq: 'e', ne: 'ne', slt: 'l', sle: 'le', sgt: 'g', sge: 'ge', ult: 'b', ule: 'be', ugt: 'a', uge: 'ae' };
const INVERSE: Record<string, string> = { e: 'ne', ne: 'e', l: 'ge', ge: 'l', le: 'g', g: 'le', b: 'ae', ae: 'b', be: 'a', a: 'be' };

const reg = (r: number, sz: Size): MOp => ({ k: 'reg', r, sz });

/** Operations whose result's low bytes depend only on the operands' low bytes. */
const RMW_LOW = new Set<string>(['add', 'sub', 'and', 'or', 'xor']);
const COMMUTATIVE = new Set<string>(['add', 'and', 'or', 'xor']);
/** Instructions that may write memory: no load is moved past one. */
const clobbers = (i: Inst): boolean => i.op === 'store' || i.op === 'call' || i.op === 'intrin' || (i.op === 'load' && !!i.volatile);
const sameAddr = (a: Value, b: Value): boolean =>
  (a.kind === 'vreg' && b.kind === 'vreg' && a.id === b.id) || (a.kind === 'sym' && b.kind === 'sym' && a.name === b.name && a.addend === b.addend) ||
  (a.kind === 'const' && b.kind === 'const' && a.value === b.value);
const imm = (v: bigint): MOp => ({ k: 'imm', v });

// ---------------------------------------------------------------------------------------------
// Selection

class Selector {
  mf: MFunc;
  out: MInst[] = [];
  loc?: SourceLoc;
  def = new Map<number, { inst: Inst; block: number }>();
  useCount = new Map<number, number>();
  allocaSlot = new Map<number, number>();
  allocaAddrUses = new Map<number, number>();
  /** Uses of each vreg as the address of a load or store. */
  addrUses = new Map<number, number>();
  folded = new Set<Inst>();
  /** A two-address operation whose right operand is a load folded into a memory operand. */
  memOperand = new Map<Inst, Extract<Inst, { op: 'load' }>>();
  /** A store that applies an operation to memory in place (planRmw): the operation. */
  rmw = new Map<Inst, Extract<Inst, { op: 'bin' | 'un' }>>();
  phiTemp = new Map<Inst, number>();
  /** Class-w vregs whose register is known to have its upper 32 bits clear (see zeroExtendedRegs). */
  zx = new Set<number>();

  constructor(private f: Func) {
    this.mf = {
      name: f.name,
      exported: f.exported,
      blocks: [],
      nextReg: FIRST_VREG + f.nextVreg,
      regSize: new Map(),
      slots: [],
      outArgs: 0,
      temps: new Set(),
      loc: f.loc,
    };
  }

  v(id: number): number {
    return FIRST_VREG + id;
  }

  tmp(sz: Size): number {
    const r = this.mf.nextReg++;
    this.mf.regSize.set(r, sz === 8 ? 8 : 4);
    return r;
  }

  emit(mnem: string, ops: MOp[], acc: Acc[], more: Partial<MInst> = {}): void {
    this.out.push({ mnem, ops, acc, loc: this.loc, ...more });
  }

  /** A register-to-register copy of `sz` bytes (4 or 8). */
  copy(src: number, dst: number, sz: Size): void {
    this.emit(`mov${SUFFIX[sz]}`, [reg(src, sz), reg(dst, sz)], ['r', 'w'], { copy: true });
  }

  /** Puts a value into register `dst` (virtual or physical). */
  materialise(v: Value, dst: number, sz: Size): void {
    if (v.kind === 'vreg') return this.copy(this.v(v.id), dst, sz);
    if (v.kind === 'sym') {
      this.emit('leaq', [{ k: 'mem', rip: true, sym: v.name, disp: v.addend }, reg(dst, 8)], ['r', 'w']);
      return;
    }
    const x = BigInt.asUintN(sz * 8, v.value);
    if (x === 0n) this.emit(`xorl`, [reg(dst, 4), reg(dst, 4)], ['n', 'w']);
    else if (sz < 8 || x < 1n << 32n) this.emit('movl', [imm(immOf(x, 4)), reg(dst, 4)], ['r', 'w']);
    else if (fitsS32(BigInt.asIntN(64, x))) this.emit('movq', [imm(BigInt.asIntN(64, x)), reg(dst, 8)], ['r', 'w']);
    else this.emit('movabsq', [imm(BigInt.asIntN(64, x)), reg(dst, 8)], ['r', 'w']);
  }

  /** A register operand holding v. */
  regOf(v: Value, sz: Size): MOp {
    if (v.kind === 'vreg') return reg(this.v(v.id), sz);
    const t = this.tmp(v.kind === 'sym' ? 8 : sz);
    this.materialise(v, t, v.kind === 'sym' ? 8 : sz);
    return reg(t, sz);
  }

  /** A register or immediate operand holding v. */
  srcOf(v: Value, sz: Size): MOp {
    if (v.kind === 'const' && immFits(v.value, sz)) return imm(immOf(v.value, sz < 8 ? sz : 8));
    return this.regOf(v, sz);
  }

  // ---- folding decisions (per block, before selection) ----

  defIn(v: Value, block: number): Inst | undefined {
    if (v.kind !== 'vreg' || this.useCount.get(v.id) !== 1) return undefined;
    const d = this.def.get(v.id);
    return d && d.block === block ? d.inst : undefined;
  }

  /**
   * The definition of address v if it can fold into the addressing mode of a use in `block`: its
   * only use is there, or every use of it is a load or store address (each use then recomputes it
   * in its addressing mode, which is free; common subexpression elimination makes such values).
   */
  addrDef(v: Value, block: number): Inst | undefined {
    if (v.kind === 'vreg' && (this.useCount.get(v.id) ?? 0) === this.addrUses.get(v.id)) return this.def.get(v.id)?.inst;
    return this.defIn(v, block);
  }

  /** Marks the address arithmetic feeding a load or store as folded into its addressing mode. */
  planAddr(v: Value, block: number): void {
    const d = this.addrDef(v, block);
    // An add that already reads memory (planLoadOperand) cannot also become an address.
    if (!d || d.op !== 'bin' || d.bin !== 'add' || d.cls !== 'l' || this.memOperand.has(d)) return;
    if (d.b.kind === 'const' && fitsS32(BigInt.asIntN(64, d.b.value))) {
      this.folded.add(d);
      if (d.a.kind === 'vreg') this.planAddr(d.a, block);
      return;
    }
    // base + index; a symbol operand is loaded with lea first (RIP-relative takes no index).
    if (d.a.kind === 'const' || d.b.kind === 'const') return;
    this.folded.add(d);
    for (const x of [d.b, d.a]) {
      const sh = this.defIn(x, block) ?? (x.kind === 'vreg' && this.useCount.get(x.id) === 1 ? this.def.get(x.id)?.inst : undefined);
      if (sh && sh.op === 'bin' && sh.bin === 'shl' && sh.cls === 'l' && sh.b.kind === 'const' && sh.b.value >= 1n && sh.b.value <= 3n) {
        this.folded.add(sh);
        return;
      }
    }
  }

  /**
   * `x op load(p)` reads memory directly (`addq (%rdi), %rax`) when the load has no other use, has
   * the operation's full width, and no store, call or intrinsic sits between it and the operation.
   */
  planLoadOperand(i: Inst, k: number, b: number): void {
    if (i.op !== 'bin' || !['add', 'sub', 'and', 'or', 'xor', 'mul'].includes(i.bin)) return;
    if (this.folded.has(i)) return;
    const insts = this.f.blocks[b].insts;
    const fits = (v: Value) => {
      const d = this.defIn(v, b);
      if (!d || d.op !== 'load' || d.volatile || d.width !== sizeOf(i.cls) || this.folded.has(d)) return undefined;
      const j = insts.indexOf(d);
      const between = insts.slice(j + 1, k);
      if (between.some((x) => x.op === 'store' || x.op === 'call' || x.op === 'intrin' || (x.op === 'load' && x.volatile))) return undefined;
      return d;
    };
    let ld = fits(i.b);
    if (!ld && i.bin !== 'sub' && i.a.kind === 'vreg' && i.b.kind !== 'const') {
      ld = fits(i.a);
      if (ld) [i.a, i.b] = [i.b, i.a]; // commutative: the memory operand goes on the right
    }
    if (!ld) return;
    this.folded.add(ld);
    this.memOperand.set(i, ld);
  }

  /**
   * `*p = *p op v` (and `*p = -*p`, `~*p`) is one instruction on memory (`addl $1, n(%rip)`,
   * `orq %rax, 8(%rdi)`) when the load's only use is the operation, whose only use (perhaps through
   * a truncation the store makes anyway) is a store of the load's width to the same address, with
   * no store, call, intrinsic or volatile access between the load and the store. The flags it sets
   * are never read: a compare fused into a branch or select is emitted next to its user.
   */
  planRmw(b: number): void {
    const insts = this.f.blocks[b].insts;
    insts.forEach((st, k) => {
      if (st.op !== 'store' || st.volatile) return;
      let op = this.defIn(st.value, b);
      let trunc: Inst | undefined;
      if (op && op.op === 'ext' && op.from >= st.width) {
        trunc = op;
        op = this.defIn(op.a, b);
      }
      if (!op || (op.op !== 'bin' && op.op !== 'un') || this.folded.has(op) || st.width > sizeOf(op.cls)) return;
      // Beyond add/sub/and/or/xor/neg/not the low bytes of the result depend on more than the low
      // bytes of the operands: shifts by a constant only at the full width.
      const full = !trunc && st.width === sizeOf(op.cls);
      if (op.op === 'bin' && !RMW_LOW.has(op.bin) && !(full && ['shl', 'shr', 'sar'].includes(op.bin) && op.b.kind === 'const')) return;
      const loadOf = (v: Value) => {
        const d = this.defIn(v, b);
        if (!d || d.op !== 'load' || d.volatile || d.width !== st.width || !sameAddr(d.addr, st.addr) || this.folded.has(d)) return undefined;
        const j = insts.indexOf(d);
        return j < k && !insts.slice(j + 1, k).some(clobbers) ? d : undefined;
      };
      let ld = loadOf(op.a);
      if (!ld && op.op === 'bin' && COMMUTATIVE.has(op.bin) && op.a.kind === 'vreg') {
        ld = loadOf(op.b);
        if (ld) [op.a, op.b] = [op.b, op.a]; // the loaded value goes on the left, the source on the right
      }
      if (!ld) return;
      for (const x of [ld, op, trunc]) if (x) this.folded.add(x);
      this.rmw.set(st, op);
    });
  }

  planBlock(b: number): void {
    const blk = this.f.blocks[b];
    this.planRmw(b);
    blk.insts.forEach((i, k) => {
      if (i.op === 'load' || i.op === 'store') this.planAddr(i.addr, b);
      this.planLoadOperand(i, k, b);
      if (i.op === 'select' && k > 0) {
        const c = this.defIn(i.cond, b);
        if (c && c === blk.insts[k - 1] && c.op === 'cmp') {
          this.folded.add(c);
          this.planBitTest(c, b);
        }
      }
    });
    const t = blk.term;
    if (t.op === 'br') {
      const c = this.defIn(t.cond, b);
      if (c && c.op === 'cmp' && c === blk.insts[blk.insts.length - 1]) {
        this.folded.add(c);
        this.planBitTest(c, b);
      }
    }
  }

  /**
   * `(x & k) ==/!= 0` is `test $k, x`, and `((x >> n) & 1) ==/!= 0` is `bt n, x` (bt takes the bit
   * number modulo the width, as the shift does), when the and and shift have no other use.
   */
  planBitTest(c: Extract<Inst, { op: 'cmp' }>, b: number): void {
    if ((c.cmp !== 'eq' && c.cmp !== 'ne') || c.b.kind !== 'const' || c.b.value !== 0n) return;
    const and = this.defIn(c.a, b);
    if (!and || and.op !== 'bin' || and.bin !== 'and' || and.cls !== c.cls || and.b.kind !== 'const' || !immFits(and.b.value, sizeOf(and.cls))) return;
    if (this.memOperand.has(and) || and.a.kind !== 'vreg') return;
    this.folded.add(and);
    const sh = this.defIn(and.a, b);
    if (and.b.value === 1n && sh && sh.op === 'bin' && sh.bin === 'shr' && sh.cls === and.cls && sh.b.kind === 'vreg' && sh.a.kind === 'vreg' && !this.memOperand.has(sh)) this.folded.add(sh);
  }

  /** The memory operand for address v (+ disp), following the folds planned for it. */
  addr(v: Value, disp = 0n): MOp {
    if (v.kind === 'sym') return { k: 'mem', rip: true, sym: v.name, disp: v.addend + disp };
    if (v.kind === 'const') {
      const a = BigInt.asIntN(64, v.value) + disp;
      if (fitsS32(a)) return { k: 'mem', disp: a };
      return { k: 'mem', base: (this.regOf(v, 8) as { r: number }).r, disp };
    }
    const slot = this.allocaSlot.get(v.id);
    if (slot !== undefined) return { k: 'mem', slot, disp };
    const d = this.def.get(v.id)?.inst;
    if (d && this.folded.has(d) && d.op === 'bin') {
      if (d.b.kind === 'const') return this.addr(d.a, disp + BigInt.asIntN(64, d.b.value));
      let [base, index]: Value[] = [d.a, d.b];
      let scale: 1 | 2 | 4 | 8 = 1;
      const shOf = (x: Value) => (x.kind === 'vreg' ? this.def.get(x.id)?.inst : undefined);
      const sb = shOf(index);
      const sa = shOf(base);
      if (sb && this.folded.has(sb) && sb.op === 'bin') {
        scale = (1 << Number(sb.b.kind === 'const' ? sb.b.value : 0n)) as 1 | 2 | 4 | 8;
        index = sb.a;
      } else if (sa && this.folded.has(sa) && sa.op === 'bin' && sa !== sb) {
        scale = (1 << Number(sa.b.kind === 'const' ? sa.b.value : 0n)) as 1 | 2 | 4 | 8;
        [base, index] = [d.b, sa.a];
      }
      // A symbol base with an index is an absolute sign-extended disp32 (`a(,%rax,4)`): every
      // symbol lies in the low 2 GiB (Linux target) or the top 2 GiB (kernel), so it needs no lea.
      if (index.kind === 'sym' && scale === 1 && base.kind !== 'sym') [base, index] = [index, base];
      const ix = this.regOf(index, 8) as { r: number };
      if (base.kind === 'sym') return { k: 'mem', sym: base.name, disp: base.addend + disp, index: ix.r, scale };
      const bslot = base.kind === 'vreg' ? this.allocaSlot.get(base.id) : undefined;
      if (bslot !== undefined) return { k: 'mem', slot: bslot, index: ix.r, scale, disp };
      const bx = this.regOf(base, 8) as { r: number };
      return { k: 'mem', base: bx.r, index: ix.r, scale, disp };
    }
    return { k: 'mem', base: this.v(v.id), disp };
  }

  // ---- the function ----

  run(): MFunc {
    const f = this.f;
    splitCriticalEdges(f);
    const cfg = buildCfg(f);
    const layout = cfg.rpo;
    const pos = new Map<number, number>();
    layout.forEach((b, k) => pos.set(b, k));
    const depth = loopDepths(f);
    for (const p of f.params) this.mf.regSize.set(this.v(p.vreg), sizeOf(p.cls) as 4 | 8);
    for (const b of layout) {
      for (const i of f.blocks[b].insts) {
        const d = instDst(i);
        if (d) {
          this.def.set(d.dst, { inst: i, block: b });
          this.mf.regSize.set(this.v(d.dst), sizeOf(d.cls) as 4 | 8);
        }
        for (const u of instUses(i)) if (u.kind === 'vreg') this.useCount.set(u.id, (this.useCount.get(u.id) ?? 0) + 1);
        if (i.op === 'alloca') {
          this.allocaSlot.set(i.dst, this.mf.slots.length);
          this.mf.slots.push({ size: Math.max(i.size, 1), align: Math.min(Math.max(i.align, 1), 16) });
        }
        if ((i.op === 'load' || i.op === 'store') && i.addr.kind === 'vreg') {
          this.allocaAddrUses.set(i.addr.id, (this.allocaAddrUses.get(i.addr.id) ?? 0) + 1);
          if (!(i.op === 'store' && i.value.kind === 'vreg' && i.value.id === i.addr.id)) this.addrUses.set(i.addr.id, (this.addrUses.get(i.addr.id) ?? 0) + 1);
        }
        if (i.op === 'store' && i.value.kind === 'vreg' && i.addr.kind === 'vreg' && i.value.id === i.addr.id) {
          this.allocaAddrUses.set(i.addr.id, -1e9); // its address is stored: needs a register
        }
      }
      for (const u of termUses(f.blocks[b].term)) if (u.kind === 'vreg') this.useCount.set(u.id, (this.useCount.get(u.id) ?? 0) + 1);
    }
    this.zx = zeroExtendedRegs(f, this.def);
    // Plan every block first: an address computed in one block may fold into uses in later ones.
    for (const b of layout) this.planBlock(b);
    for (const b of layout) {
      this.out = [];
      this.loc = f.blocks[b].insts[0]?.loc ?? f.blocks[b].term.loc;
      if (b === layout[0]) this.params();
      this.selectBlock(b);
      this.mf.blocks.push({
        label: `.L${f.name}_${b}`,
        insts: this.out,
        succs: succs(f.blocks[b].term).map((s) => pos.get(s)!),
        depth: depth[b],
      });
    }
    const argRegs = new Map(f.params.slice(0, ARG_REGS.length).map((p, k) => [p.vreg, ARG_REGS[k]]));
    this.mf.vars = machineVars(f.vars, (id) => this.v(id), this.allocaSlot, argRegs);
    return this.mf;
  }

  params(): void {
    const f = this.f;
    const inRegs = f.params.slice(0, 6);
    this.emit('entry', [], [], { implDefs: ARG_REGS.slice(0, inRegs.length) });
    inRegs.forEach((p, k) => this.copy(ARG_REGS[k], this.v(p.vreg), sizeOf(p.cls)));
    f.params.slice(6).forEach((p, k) => {
      const sz = sizeOf(p.cls);
      this.emit(`mov${SUFFIX[sz]}`, [{ k: 'mem', base: RBP, disp: BigInt(16 + 8 * k) }, reg(this.v(p.vreg), sz)], ['r', 'w']);
    });
  }

  selectBlock(b: number): void {
    const blk = this.f.blocks[b];
    for (const i of blk.insts) {
      if (i.op !== 'phi') continue;
      this.loc = i.loc;
      this.copy(this.phiTempOf(i), this.v(i.dst), sizeOf(i.cls));
    }
    for (const i of blk.insts) {
      if (i.op === 'phi' || this.folded.has(i)) continue;
      this.loc = i.loc ?? this.loc;
      this.inst(i);
    }
    const t = blk.term;
    this.loc = t.loc ?? this.loc;
    // Phi copies for the successor (the only one, since critical edges are split).
    for (const s of succs(t)) {
      for (const i of this.f.blocks[s].insts) {
        if (i.op !== 'phi') continue;
        const inc = i.incoming.find((x) => x.block === b);
        if (inc) this.materialise(inc.value, this.phiTempOf(i), sizeOf(i.cls));
      }
    }
    const label = (id: number): MOp => ({ k: 'label', name: `.L${this.f.name}_${id}` });
    switch (t.op) {
      case 'jmp':
        this.emit('jmp', [label(t.target)], ['n']);
        break;
      case 'br': {
        if (t.cond.kind === 'const') {
          this.emit('jmp', [label(t.cond.value !== 0n ? t.then : t.else)], ['n']);
          break;
        }
        const cc = this.condition(t.cond);
        this.emit(`j${cc}`, [label(t.then)], ['n']);
        this.emit('jmp', [label(t.else)], ['n']);
        break;
      }
      case 'ret':
        if (t.value) this.materialise(t.value, RAX, sizeOf(this.f.ret ?? valueCls(t.value)));
        this.emit('ret', [], [], { implUses: t.value ? [RAX] : [] });
        break;
      case 'unreachable':
        this.emit('ud2', [], []);
        break;
    }
  }

  phiTempOf(i: Inst): number {
    let t = this.phiTemp.get(i);
    if (t === undefined && i.op === 'phi') {
      t = this.tmp(sizeOf(i.cls));
      this.phiTemp.set(i, t);
    }
    return t!;
  }

  /** Sets the flags for a branch or select on `cond` and returns the condition code to test. */
  condition(cond: Value): string {
    const c = cond.kind === 'vreg' ? this.def.get(cond.id)?.inst : undefined;
    if (c && c.op === 'cmp' && this.folded.has(c)) return this.compare(c.cmp, c.cls, c.a, c.b);
    const r = this.regOf(cond, 4);
    this.emit('testl', [r, r], ['r', 'r']);
    return 'ne';
  }

  /** Emits cmp/test for a op b at class cls; returns the condition code. */
  compare(op: CmpOp, cls: Cls, a: Value, b: Value): string {
    const sz = sizeOf(cls);
    if (a.kind === 'const' && b.kind !== 'const') {
      const swapped: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', slt: 'sgt', sle: 'sge', sgt: 'slt', sge: 'sle', ult: 'ugt', ule: 'uge', ugt: 'ult', uge: 'ule' };
      return this.compare(swapped[op], cls, b, a);
    }
    const and = a.kind === 'vreg' ? this.def.get(a.id)?.inst : undefined;
    if (and && and.op === 'bin' && and.bin === 'and' && this.folded.has(and) && and.b.kind === 'const') {
      const sh = and.a.kind === 'vreg' ? this.def.get(and.a.id)?.inst : undefined;
      if (sh && sh.op === 'bin' && sh.bin === 'shr' && this.folded.has(sh)) {
        this.emit(`bt${SUFFIX[sz]}`, [this.regOf(sh.b, sz), this.regOf(sh.a, sz)], ['r', 'r']);
        return op === 'ne' ? 'b' : 'ae';
      }
      this.emit(`test${SUFFIX[sz]}`, [imm(immOf(and.b.value, sz)), this.regOf(and.a, sz)], ['r', 'r']);
      return CC[op];
    }
    const ra = this.regOf(a, sz);
    if (b.kind === 'const' && BigInt.asUintN(sz * 8, b.value) === 0n) {
      this.emit(`test${SUFFIX[sz]}`, [ra, ra], ['r', 'r']);
    } else {
      const sb = this.srcOf(b, sz);
      this.emit(`cmp${SUFFIX[sz]}`, [sb, ra], ['r', 'r']);
    }
    return CC[op];
  }

  inst(i: Inst): void {
    switch (i.op) {
      case 'bin':
        return this.bin(i);
      case 'un': {
        const sz = sizeOf(i.cls);
        const d = this.v(i.dst);
        this.materialise(i.a, d, sz);
        this.emit(`${i.un}${SUFFIX[sz]}`, [reg(d, sz)], ['rw']);
        return;
      }
      case 'cmp': {
        const cc = this.compare(i.cmp, i.cls, i.a, i.b);
        const d = this.v(i.dst);
        this.emit(`set${cc}`, [reg(d, 1)], ['w']);
        this.emit('movzbl', [reg(d, 1), reg(d, 4)], ['r', 'w']);
        return;
      }
      case 'ext':
        return this.ext(i.cls, i.dst, i.a, i.from, i.signed);
      case 'copy':
        return this.materialise(i.a, this.v(i.dst), sizeOf(i.cls));
      case 'select': {
        const sz = sizeOf(i.cls);
        const d = this.v(i.dst);
        const a = this.regOf(i.a, sz);
        const c = i.cond.kind === 'vreg' ? this.def.get(i.cond.id)?.inst : undefined;
        // mov and the constant loads compare() emits leave the flags alone until the cmov.
        if (c && c.op === 'cmp' && this.folded.has(c)) {
          this.materialise(i.b, d, sz);
          const cc = this.compare(c.cmp, c.cls, c.a, c.b);
          this.emit(`cmov${cc}`, [a, reg(d, sz)], ['r', 'rw']);
        } else {
          const cond = this.regOf(i.cond, 4);
          this.materialise(i.b, d, sz);
          this.emit('testl', [cond, cond], ['r', 'r']);
          this.emit('cmovne', [a, reg(d, sz)], ['r', 'rw']);
        }
        return;
      }
      case 'load':
        return this.load(i.cls, this.v(i.dst), this.addr(i.addr), i.width, i.signed);
      case 'store': {
        const sz = i.width as Size;
        const op = this.rmw.get(i);
        if (op) return this.rmwStore(op, this.addr(i.addr), sz);
        const src = i.value.kind === 'const' && immFits(i.value.value, sz) ? imm(immOf(i.value.value, sz)) : this.regOf(i.value, sz);
        this.emit(`mov${SUFFIX[sz]}`, [src, this.addr(i.addr)], ['r', 'r']);
        return;
      }
      case 'alloca':
        if ((this.useCount.get(i.dst) ?? 0) > (this.allocaAddrUses.get(i.dst) ?? 0)) {
          this.emit('leaq', [{ k: 'mem', slot: this.allocaSlot.get(i.dst)!, disp: 0n }, reg(this.v(i.dst), 8)], ['r', 'w']);
        }
        return;
      case 'call':
        return this.call(i.callee, i.args, i.dst, i.cls);
      case 'intrin':
        return this.intrin(i.name, i.args, i.dst, i.cls, i.width);
      case 'phi':
        return;
    }
  }

  /** The operation planRmw chose, applied to memory at `sz` bytes. */
  rmwStore(op: Extract<Inst, { op: 'bin' | 'un' }>, mem: MOp, sz: Size): void {
    const sfx = SUFFIX[sz];
    if (op.op === 'un') return this.emit(`${op.un}${sfx}`, [mem], ['r']);
    if (op.b.kind === 'const' && (op.bin === 'shl' || op.bin === 'shr' || op.bin === 'sar')) {
      const k = BigInt(Number(BigInt.asUintN(8, op.b.value)) & (sz * 8 - 1));
      if (k !== 0n) this.emit(`${op.bin}${sfx}`, [imm(k), mem], ['r', 'r']);
      return;
    }
    this.emit(`${op.bin}${sfx}`, [this.srcOf(op.b, sz), mem], ['r', 'r']);
  }

  bin(i: Extract<Inst, { op: 'bin' }>): void {
    const sz = sizeOf(i.cls);
    const sfx = SUFFIX[sz];
    const d = this.v(i.dst);
    const { a, b } = i;
    const bc = b.kind === 'const' ? BigInt.asIntN(sz * 8, b.value) : undefined;
    const ld = this.memOperand.get(i);
    if (ld) {
      const mem = this.addr(ld.addr);
      this.materialise(a, d, sz);
      this.emit(`${i.bin === 'mul' ? 'imul' : i.bin}${sfx}`, [mem, reg(d, sz)], ['r', 'rw']);
      return;
    }
    switch (i.bin) {
      case 'add':
      case 'sub': {
        const k = bc === undefined ? undefined : i.bin === 'add' ? bc : -bc;
        if (a.kind === 'vreg' && k !== undefined && fitsS32(k)) {
          this.emit(`lea${sfx}`, [{ k: 'mem', base: this.v(a.id), disp: k }, reg(d, sz)], ['r', 'w']);
          return;
        }
        if (i.bin === 'add' && a.kind === 'vreg' && b.kind === 'vreg') {
          this.emit(`lea${sfx}`, [{ k: 'mem', base: this.v(a.id), index: this.v(b.id), scale: 1, disp: 0n }, reg(d, sz)], ['r', 'w']);
          return;
        }
        break;
      }
      case 'mul':
        if (a.kind !== 'const' && bc !== undefined && fitsS32(bc)) {
          this.emit(`imul${sfx}`, [imm(bc), this.regOf(a, sz), reg(d, sz)], ['r', 'r', 'w']);
          return;
        }
        break;
      case 'and':
        if (a.kind === 'vreg' && b.kind === 'const') {
          const m = BigInt.asUintN(sz * 8, b.value);
          const zx = m === 0xffn ? 'movzbl' : m === 0xffffn ? 'movzwl' : m === 0xffffffffn && sz === 8 ? 'movl' : undefined;
          if (zx) {
            const from: Size = m === 0xffn ? 1 : m === 0xffffn ? 2 : 4;
            this.emit(zx, [reg(this.v(a.id), from), reg(d, 4)], ['r', 'w']);
            return;
          }
        }
        break;
      case 'shl':
      case 'shr':
      case 'sar': {
        const mn = `${i.bin}${sfx}`;
        if (bc !== undefined) {
          this.materialise(a, d, sz);
          const k = BigInt(Number(BigInt.asUintN(8, bc)) & (sz * 8 - 1));
          if (k !== 0n) this.emit(mn, [imm(k), reg(d, sz)], ['r', 'rw']);
          return;
        }
        this.materialise(a, d, sz);
        this.materialise(b, RCX, 4);
        this.emit(mn, [reg(RCX, 1), reg(d, sz)], ['r', 'rw']);
        return;
      }
      case 'sdiv':
      case 'srem':
      case 'udiv':
      case 'urem': {
        const signed = i.bin === 'sdiv' || i.bin === 'srem';
        if (bc !== undefined && a.kind === 'vreg' && this.divByConstant(i, signed ? bc : BigInt.asUintN(sz * 8, bc))) return;
        const rb = this.regOf(b, sz);
        this.materialise(a, RAX, sz);
        if (signed) this.emit(sz === 8 ? 'cqto' : 'cltd', [], [], { implUses: [RAX], implDefs: [RDX] });
        else this.emit('xorl', [reg(RDX, 4), reg(RDX, 4)], ['n', 'w']);
        this.emit(`${signed ? 'idiv' : 'div'}${sfx}`, [rb], ['r'], { implUses: [RAX, RDX], implDefs: [RAX, RDX] });
        this.copy(i.bin === 'sdiv' || i.bin === 'udiv' ? RAX : RDX, d, sz);
        return;
      }
    }
    // Two-address form: d = a; d op= b.
    const src = this.srcOf(b, sz);
    this.materialise(a, d, sz);
    const mn = i.bin === 'mul' ? 'imul' : i.bin;
    this.emit(`${mn}${sfx}`, [src, reg(d, sz)], ['r', 'rw']);
  }

  /**
   * Division and remainder by a constant as a multiplication by its reciprocal (Granlund and
   * Montgomery; Hacker's Delight 10): exact for every dividend. Returns false where `div` stays:
   * divisors 0, 1, -1 and the most negative one, and unsigned powers of two (opt.ts makes shifts).
   */
  divByConstant(i: Extract<Inst, { op: 'bin' }>, d: bigint): boolean {
    const sz = sizeOf(i.cls);
    const N = sz * 8;
    const sfx = SUFFIX[sz];
    const signed = i.bin === 'sdiv' || i.bin === 'srem';
    const x = (i.a as { id: number }).id;
    const ad = d < 0n ? -d : d;
    if (ad < 2n || ad >= 1n << BigInt(N - 1) + (signed ? 0n : 1n) || (!signed && (d & (d - 1n)) === 0n)) return false;
    const q = this.tmp(signed ? sz : 8);
    const mulBy = (m: bigint, s: Size, op: string) => {
      const t = this.tmp(s);
      this.materialise({ kind: 'const', value: BigInt.asUintN(s * 8, m), cls: s === 8 ? 'l' : 'w' }, t, s);
      this.emit(`${op}${SUFFIX[s]}`, [reg(t, s)], ['r'], { implUses: [RAX], implDefs: [RAX, RDX] });
    };
    const L = BigInt(ad.toString(2).length);
    // Unsigned 32-bit: the smallest s with m = ceil(2^(32+s) / d) < 2^32 exact for every x < 2^32
    // (m * d - 2^(32+s) <= 2^s) gives q = (x * m) >> (32 + s) in one 64-bit imul, free registers.
    let s32 = -1n;
    for (let k = 0n; !signed && N === 32 && k <= L && s32 < 0n; k++) {
      const m = ((1n << (32n + k)) + ad - 1n) / ad;
      if (m < 1n << 32n && m * ad - (1n << (32n + k)) <= 1n << k) s32 = k;
    }
    if (s32 >= 0n) {
      const m = ((1n << (32n + s32)) + ad - 1n) / ad;
      let xr = this.v(x);
      if (!this.zx.has(x)) {
        xr = this.tmp(8);
        this.emit('movl', [reg(this.v(x), 4), reg(xr, 4)], ['r', 'w']);
      }
      if (fitsS32(m)) this.emit('imulq', [imm(m), reg(xr, 8), reg(q, 8)], ['r', 'r', 'w']);
      else {
        this.materialise({ kind: 'const', value: m, cls: 'w' }, q, 4);
        this.emit('imulq', [reg(xr, 8), reg(q, 8)], ['r', 'rw']);
      }
      this.emit('shrq', [imm(32n + s32), reg(q, 8)], ['r', 'rw']);
    } else if (!signed && N === 32) {
      // x < 2^32 times m = ceil(2^(63+L) / d) < 2^64, high half shifted by L-1 (error < 2^-31).
      if (this.zx.has(x)) this.copy(this.v(x), RAX, 4);
      else this.emit('movl', [reg(this.v(x), 4), reg(RAX, 4)], ['r', 'w']);
      mulBy(((1n << (63n + L)) + ad - 1n) / ad, 8, 'mul');
      this.copy(RDX, q, 8);
      this.emit('shrq', [imm(L - 1n), reg(q, 8)], ['r', 'rw']);
    } else if (!signed) {
      let s = -1n;
      for (let k = 0n; k <= L && s < 0n; k++) {
        const m = ((1n << (64n + k)) + ad - 1n) / ad;
        if (m < 1n << 64n && m * ad - (1n << (64n + k)) <= 1n << k) s = k;
      }
      this.copy(this.v(x), RAX, 8);
      if (s >= 0n) {
        mulBy(((1n << (64n + s)) + ad - 1n) / ad, 8, 'mul');
        this.copy(RDX, q, 8);
        if (s > 0n) this.emit('shrq', [imm(s), reg(q, 8)], ['r', 'rw']);
      } else {
        // The 65-bit multiplier: q = (t + ((x - t) >> 1)) >> (L - 1), t = mulhi(x, m - 2^64).
        mulBy(((1n << 64n) * ((1n << L) - ad)) / ad + 1n, 8, 'mul');
        this.copy(this.v(x), q, 8);
        this.emit('subq', [reg(RDX, 8), reg(q, 8)], ['r', 'rw']);
        this.emit('shrq', [imm(1n), reg(q, 8)], ['r', 'rw']);
        this.emit('addq', [reg(RDX, 8), reg(q, 8)], ['r', 'rw']);
        this.emit('shrq', [imm(L - 1n), reg(q, 8)], ['r', 'rw']);
      }
    } else {
      const { m, s } = signedMagic(d, N);
      this.copy(this.v(x), RAX, sz);
      mulBy(m, sz, 'imul');
      this.copy(RDX, q, sz);
      const M = BigInt.asIntN(N, m);
      if (d > 0n && M < 0n) this.emit(`add${sfx}`, [reg(this.v(x), sz), reg(q, sz)], ['r', 'rw']);
      if (d < 0n && M > 0n) this.emit(`sub${sfx}`, [reg(this.v(x), sz), reg(q, sz)], ['r', 'rw']);
      if (s > 0n) this.emit(`sar${sfx}`, [imm(s), reg(q, sz)], ['r', 'rw']);
      const t = this.tmp(sz);
      this.copy(q, t, sz);
      this.emit(`shr${sfx}`, [imm(BigInt(N - 1)), reg(t, sz)], ['r', 'rw']);
      this.emit(`add${sfx}`, [reg(t, sz), reg(q, sz)], ['r', 'rw']); // round toward zero
    }
    const dst = this.v(i.dst);
    if (i.bin === 'udiv' || i.bin === 'sdiv') {
      this.copy(q, dst, sz);
      return true;
    }
    // remainder = x - q * d
    if (immFits(d, sz)) this.emit(`imul${sfx}`, [imm(immOf(d, sz)), reg(q, sz), reg(q, sz)], ['r', 'r', 'w']);
    else this.emit(`imul${sfx}`, [this.srcOf({ kind: 'const', value: BigInt.asUintN(N, d), cls: i.cls }, sz), reg(q, sz)], ['r', 'rw']);
    this.copy(this.v(x), dst, sz);
    this.emit(`sub${sfx}`, [reg(q, sz), reg(dst, sz)], ['r', 'rw']);
    return true;
  }

  ext(cls: Cls, dst: number, a: Value, from: Width, signed: boolean): void {
    const d = this.v(dst);
    const sz = sizeOf(cls);
    if (a.kind !== 'vreg') {
      const x = a.kind === 'const' ? a.value : 0n;
      if (a.kind === 'const') {
        const bits = from * 8;
        const v = signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x);
        return this.materialise({ kind: 'const', value: BigInt.asUintN(sz * 8, v), cls }, d, sz);
      }
      this.materialise(a, d, 8);
      return;
    }
    const ra = this.v(a.id);
    if (from === 8 || (from === 4 && cls === 'w')) return this.copy(ra, d, sz);
    if (from === 4) {
      if (signed) this.emit('movslq', [reg(ra, 4), reg(d, 8)], ['r', 'w']);
      else if (this.zx.has(a.id)) this.copy(ra, d, 4); // already zero-extended: coalescable, often free
      else this.emit('movl', [reg(ra, 4), reg(d, 4)], ['r', 'w']); // writing a 32-bit register zero-extends
      return;
    }
    const m = from === 1 ? (signed ? (sz === 8 ? 'movsbq' : 'movsbl') : 'movzbl') : signed ? (sz === 8 ? 'movswq' : 'movswl') : 'movzwl';
    const dsz: Size = m.endsWith('q') ? 8 : 4;
    this.emit(m, [reg(ra, from as Size), reg(d, dsz)], ['r', 'w']);
  }

  load(cls: Cls, d: number, mem: MOp, width: Width, signed: boolean): void {
    let m: string;
    let dsz: Size = 4;
    if (width === 1) m = signed ? (cls === 'l' ? 'movsbq' : 'movsbl') : 'movzbl';
    else if (width === 2) m = signed ? (cls === 'l' ? 'movswq' : 'movswl') : 'movzwl';
    else if (width === 4) m = cls === 'l' && signed ? 'movslq' : 'movl';
    else m = cls === 'l' ? 'movq' : 'movl';
    if (m.endsWith('q')) dsz = 8;
    this.emit(m, [mem, reg(d, dsz)], ['r', 'w']);
  }

  call(callee: Value, args: Value[], dst: number | undefined, cls: Cls | undefined): void {
    const target = callee.kind === 'sym' && callee.addend === 0n ? undefined : this.regOf(callee, 8);
    args.slice(6).forEach((v, k) => {
      const sz = sizeOf(valueCls(v));
      const mem: MOp = { k: 'mem', base: RSP, disp: BigInt(8 * k) };
      this.emit(`mov${SUFFIX[sz]}`, [this.srcOf(v, sz), mem], ['r', 'r']);
    });
    this.mf.outArgs = Math.max(this.mf.outArgs, 8 * Math.max(0, args.length - 6));
    args.slice(0, 6).forEach((v, k) => this.materialise(v, ARG_REGS[k], sizeOf(valueCls(v))));
    const implUses = ARG_REGS.slice(0, Math.min(6, args.length));
    const more = { implUses, implDefs: CALLER_SAVED };
    if (target) this.emit('call', [target], ['r'], more);
    else this.emit('call', [{ k: 'label', name: (callee as { name: string }).name }], ['n'], more);
    if (dst !== undefined) this.copy(RAX, this.v(dst), sizeOf(cls ?? 'l'));
  }

  /** Moves each value into its fixed register (sizes from the values' classes unless given). */
  fixed(args: Value[], regs: number[], sz?: Size): number[] {
    args.forEach((v, k) => this.materialise(v, regs[k], sz ?? sizeOf(valueCls(v))));
    return regs.slice(0, args.length);
  }

  /** Zero-extends the low `w` bytes of physical register r into d (class cls). */
  fromFixed(r: number, d: number, w: Size, cls: Cls): void {
    if (w === 1) this.emit('movzbl', [reg(r, 1), reg(d, 4)], ['r', 'w']);
    else if (w === 2) this.emit('movzwl', [reg(r, 2), reg(d, 4)], ['r', 'w']);
    else this.copy(r, d, w === 8 ? 8 : sizeOf(cls));
  }

  /** Joins edx:eax into a 64-bit d. */
  joinEdxEax(d: number): void {
    const hi = this.tmp(8);
    this.emit('movl', [reg(RDX, 4), reg(hi, 4)], ['r', 'w']);
    this.emit('movl', [reg(RAX, 4), reg(d, 4)], ['r', 'w']);
    this.emit('shlq', [imm(32n), reg(hi, 8)], ['r', 'rw']);
    this.emit('orq', [reg(hi, 8), reg(d, 8)], ['r', 'rw']);
  }

  intrin(name: string, args: Value[], dst: number | undefined, cls: Cls | undefined, width: Width | undefined): void {
    const d = dst === undefined ? this.tmp(8) : this.v(dst);
    const c: Cls = cls ?? 'l';
    const w = (width ?? (c === 'l' ? 8 : 4)) as Size;
    const sfx = SUFFIX[w];
    switch (name) {
      case 'cli':
      case 'sti':
      case 'hlt':
      case 'pause':
      case 'mfence':
      case 'lfence':
      case 'sfence':
        return this.emit(name, [], []);
      case 'barrier':
        return;
      case 'unreachable':
        return this.emit('ud2', [], []);
      case 'inb':
      case 'inw':
      case 'inl': {
        const ws: Size = name === 'inb' ? 1 : name === 'inw' ? 2 : 4;
        const port = args[0];
        if (port.kind === 'const' && BigInt.asUintN(16, port.value) < 256n) {
          this.emit(name, [imm(BigInt.asUintN(16, port.value)), reg(RAX, ws)], ['r', 'w']);
        } else {
          this.materialise(port, RDX, 4);
          this.emit(name, [reg(RDX, 2), reg(RAX, ws)], ['r', 'w']);
        }
        return this.fromFixed(RAX, d, ws, 'w');
      }
      case 'outb':
      case 'outw':
      case 'outl': {
        const ws: Size = name === 'outb' ? 1 : name === 'outw' ? 2 : 4;
        const port = args[0];
        this.materialise(args[1], RAX, 4);
        if (port.kind === 'const' && BigInt.asUintN(16, port.value) < 256n) {
          this.emit(name, [reg(RAX, ws), imm(BigInt.asUintN(16, port.value))], ['r', 'r']);
        } else {
          this.materialise(port, RDX, 4);
          this.emit(name, [reg(RAX, ws), reg(RDX, 2)], ['r', 'r']);
        }
        return;
      }
      case 'rdmsr':
        this.materialise(args[0], RCX, 4);
        this.emit('rdmsr', [], [], { implUses: [RCX], implDefs: [RAX, RDX] });
        return this.joinEdxEax(d);
      case 'wrmsr':
        this.materialise(args[0], RCX, 4);
        this.materialise(args[1], RAX, 8);
        this.materialise(args[1], RDX, 8);
        this.emit('shrq', [imm(32n), reg(RDX, 8)], ['r', 'rw']);
        return this.emit('wrmsr', [], [], { implUses: [RCX, RAX, RDX] });
      case 'rdtsc':
        this.emit('rdtsc', [], [], { implDefs: [RAX, RDX] });
        return this.joinEdxEax(d);
      case 'read_cr0':
      case 'read_cr2':
      case 'read_cr3':
      case 'read_cr4':
        return this.emit('movq', [{ k: 'sreg', name: name.slice(5) }, reg(d, 8)], ['n', 'w']);
      case 'write_cr0':
      case 'write_cr3':
      case 'write_cr4':
        return this.emit('movq', [this.regOf(args[0], 8), { k: 'sreg', name: name.slice(6) }], ['r', 'n']);
      case 'invlpg':
      case 'lgdt':
      case 'lidt':
        return this.emit(name, [{ k: 'mem', base: (this.regOf(args[0], 8) as { r: number }).r, disp: 0n }], ['r']);
      case 'ltr':
        return this.emit('ltr', [this.regOf(args[0], 2)], ['r']);
      case 'cpuid': {
        const out = this.regOf(args[2], 8) as { r: number };
        this.fixed(args.slice(0, 2), [RAX, RCX], 4);
        this.emit('cpuid', [], [], { implUses: [RAX, RCX], implDefs: [RAX, RBX, RCX, RDX] });
        [RAX, RBX, RCX, RDX].forEach((r, k) => this.emit('movl', [reg(r, 4), { k: 'mem', base: out.r, disp: BigInt(4 * k) }], ['r', 'r']));
        return;
      }
      case 'frame_address':
        return this.emit('movq', [reg(RBP, 8), reg(d, 8)], ['r', 'w']);
      case 'memcpy':
        this.fixed(args, [RDI, RSI, RCX], 8);
        return this.emit('movsb', [], [], { prefixes: ['rep'], implUses: [RDI, RSI, RCX], implDefs: [RDI, RSI, RCX] });
      case 'memset':
        this.fixed(args, [RDI, RAX, RCX], 8);
        return this.emit('stosb', [], [], { prefixes: ['rep'], implUses: [RDI, RAX, RCX], implDefs: [RDI, RCX] });
      case 'memcmp':
        // rsi = a, rdi = b: cmpsb compares (%rsi) with (%rdi). xor sets ZF so n = 0 gives 0.
        this.fixed(args, [RSI, RDI, RCX], 8);
        this.emit('xorl', [reg(RAX, 4), reg(RAX, 4)], ['n', 'w']);
        this.emit('cmpsb', [], [], { prefixes: ['repe'], implUses: [RSI, RDI, RCX], implDefs: [RSI, RDI, RCX] });
        this.emit('seta', [reg(RAX, 1)], ['rw']);
        this.emit('sbbl', [imm(0n), reg(RAX, 4)], ['r', 'rw']);
        return this.copy(RAX, d, 4);
      case 'atomic_load':
        return this.load(c, d, this.addrReg(args[0]), w as Width, false);
      case 'atomic_store': {
        const mem = this.addrReg(args[0]);
        const t = this.tmp(w);
        this.materialise(args[1], t, w === 8 ? 8 : 4);
        return this.emit(`xchg${sfx}`, [reg(t, w), mem], ['rw', 'r']);
      }
      case 'atomic_fetch_add':
        // The old value unused: `lock add` (the atomic the IR asks for, without the exchange).
        if (dst === undefined || !this.useCount.get(dst)) {
          return this.emit(`add${sfx}`, [this.srcOf(args[1], w), this.addrReg(args[0])], ['r', 'r'], { prefixes: ['lock'] });
        }
      // falls through
      case 'atomic_xchg': {
        const mem = this.addrReg(args[0]);
        const t = this.tmp(w);
        this.materialise(args[1], t, w === 8 ? 8 : 4);
        const m = name === 'atomic_xchg' ? `xchg${sfx}` : `xadd${sfx}`;
        this.emit(m, [reg(t, w), mem], ['rw', 'r'], name === 'atomic_xchg' ? {} : { prefixes: ['lock'] });
        return this.fromFixed(t, d, w, c);
      }
      case 'atomic_cmpxchg': {
        const mem = this.addrReg(args[0]);
        const desired = this.regOf(args[2], w);
        this.materialise(args[1], RAX, w === 8 ? 8 : 4);
        this.emit(`cmpxchg${sfx}`, [desired, mem], ['r', 'r'], { prefixes: ['lock'], implUses: [RAX], implDefs: [RAX] });
        return this.fromFixed(RAX, d, w, c);
      }
      case 'syscall': {
        const regs = this.fixed(args, SYSCALL_REGS, 8);
        this.emit('syscall', [], [], { implUses: regs, implDefs: [RAX, RCX, R11] });
        return this.copy(RAX, d, 8);
      }
      case 'fmt_count':
        return this.load('l', d, this.addrReg(args[0]), 8, false);
      case 'fmt_kind':
      case 'fmt_value': {
        const base = (this.regOf(args[0], 8) as { r: number }).r;
        const ix = this.tmp(8);
        this.materialise(args[1], ix, 8);
        this.emit('shlq', [imm(4n), reg(ix, 8)], ['r', 'rw']);
        const mem: MOp = { k: 'mem', base, index: ix, scale: 1, disp: name === 'fmt_kind' ? 8n : 16n };
        return this.load(name === 'fmt_kind' ? 'w' : 'l', d, mem, name === 'fmt_kind' ? 4 : 8, false);
      }
    }
    throw new Error(`isel: unknown intrinsic ${name}`);
  }

  /** A memory operand (%reg) for an intrinsic's address argument. */
  addrReg(v: Value): MOp {
    if (v.kind === 'sym') return { k: 'mem', rip: true, sym: v.name, disp: v.addend };
    if (v.kind === 'vreg' && this.allocaSlot.has(v.id)) return { k: 'mem', slot: this.allocaSlot.get(v.id)!, disp: 0n };
    return { k: 'mem', base: (this.regOf(v, 8) as { r: number }).r, disp: 0n };
  }
}

/**
 * Hacker's Delight's magic number for signed division by d (2 <= |d| < 2^(N-1)) at N bits: the
 * multiplier m (N bits, two's complement) and the shift s.
 */
export function signedMagic(d: bigint, N: number): { m: bigint; s: bigint } {
  const bits = BigInt(N);
  const two = 1n << (bits - 1n);
  const ad = d < 0n ? -d : d;
  const t = two + (d < 0n ? 1n : 0n);
  const anc = t - 1n - (t % ad);
  let p = bits - 1n;
  let [q1, r1] = [two / anc, two % anc];
  let [q2, r2] = [two / ad, two % ad];
  let delta: bigint;
  do {
    p++;
    q1 *= 2n;
    r1 *= 2n;
    if (r1 >= anc) (q1++, (r1 -= anc));
    q2 *= 2n;
    r2 *= 2n;
    if (r2 >= ad) (q2++, (r2 -= ad));
    delta = ad - r2;
  } while (q1 < delta || (q1 === delta && r1 === 0n));
  const m = BigInt.asUintN(N, d < 0n ? -(q2 + 1n) : q2 + 1n);
  return { m, s: p - bits };
}

/**
 * The class-w vregs whose register holds the value zero-extended to 64 bits: those written by a
 * 32-bit instruction (every 32-bit write clears the upper half, cmov included), and copies and
 * phis of such values. Not parameters, call or intrinsic results (assembly callers and callees
 * may leave garbage above bit 31), nor truncations (a coalesced `movl` copy of a 64-bit value).
 * Zero-extending one of these to 64 bits is then a plain copy the allocator can coalesce away.
 */
export function zeroExtendedRegs(f: Func, def: Map<number, { inst: Inst }>): Set<number> {
  const zx = new Set<number>();
  const derived: Inst[] = []; // copies, phis, and shifts that may be plain copies: need their sources
  for (const { inst: i } of def.values()) {
    const d = instDst(i);
    if (!d || d.cls !== 'w') continue;
    const countMasksToZero = i.op === 'bin' && ['shl', 'shr', 'sar'].includes(i.bin) && i.b.kind === 'const' && (i.b.value & 31n) === 0n;
    if (i.op === 'copy' || i.op === 'phi' || countMasksToZero || (i.op === 'ext' && i.from >= 4)) derived.push(i);
    else if (!['bin', 'un', 'cmp', 'load', 'select', 'ext'].includes(i.op) || (i.op === 'ext' && i.a.kind === 'sym')) continue;
    zx.add(d.dst);
  }
  // Optimistic start for derived values, then remove until stable (phi cycles stay in).
  const ok = (v: Value) => v.kind === 'const' || (v.kind === 'vreg' && zx.has(v.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const i of derived) {
      const d = instDst(i)!;
      if (!zx.has(d.dst)) continue;
      const srcs = i.op === 'phi' ? i.incoming.map((x) => x.value) : i.op === 'ext' ? (valueCls(i.a) === 'w' ? [i.a] : [{ kind: 'sym', name: '', addend: 0n } as Value]) : [instUses(i)[0]];
      if (!srcs.every(ok)) {
        zx.delete(d.dst);
        changed = true;
      }
    }
  }
  return zx;
}

/** Selects machine instructions for an SSA function (the function's CFG gets critical edges split). */
export function selectFunc(f: Func): MFunc {
  return new Selector(f).run();
}

// ---------------------------------------------------------------------------------------------
// Emission: frame layout, prologue/epilogue, physical registers, jump cleanup

export interface Frame {
  saved: number[]; // callee-saved registers pushed after rbp, in push order
  slotOffset: number[]; // rbp-relative offset of each slot
  size: number; // bytes subtracted from rsp after the pushes
}

export function layoutFrame(mf: MFunc, used: Set<number>): Frame {
  const saved = CALLEE_SAVED.filter((r) => used.has(r));
  let cur = 8 * saved.length;
  const slotOffset = mf.slots.map((s) => {
    cur = Math.ceil((cur + s.size) / s.align) * s.align;
    return -cur;
  });
  const total = Math.ceil((cur + mf.outArgs) / 16) * 16;
  return { saved, slotOffset, size: total - 8 * saved.length };
}

/**
 * Tail duplication after allocation: a `jmp` to a short block that ends in a branch or a return is
 * replaced by a copy of that block. This rotates loops (the test runs at the bottom of the body,
 * one taken branch per iteration) and gives each path its own return. Registers hold the same
 * values at the jump as at the target, so copying allocated code is exact.
 */
function duplicateSmallTails(mf: MFunc, vanishes: (i: MInst) => boolean): void {
  const byLabel = new Map(mf.blocks.map((b) => [b.label, b]));
  mf.blocks.forEach((b, k) => {
    const last = b.insts[b.insts.length - 1];
    if (last?.mnem !== 'jmp' || last.ops[0].k !== 'label') return;
    const t = byLabel.get(last.ops[0].name);
    if (!t || t === b || t === mf.blocks[k + 1]) return;
    const body = t.insts.filter((i) => !vanishes(i));
    const end = body[body.length - 1];
    const branches = body.length >= 2 && end.mnem === 'jmp' && body[body.length - 2].mnem.startsWith('j');
    const returns = end?.mnem === 'ret';
    if (!(branches && body.length <= 4) && !(returns && body.length <= 2)) return;
    if (body.slice(0, branches ? -2 : -1).some((i) => i.mnem.startsWith('j') || i.mnem === 'ret' || i.mnem === 'call')) return;
    b.insts = [...b.insts.slice(0, -1), ...body];
  });
}

/**
 * `lea k(%r), %r` and `lea (%r,%s), %r` become `add`: shorter, and what a person would write.
 * Safe for the flags: a flag-setting instruction and its consumer are always adjacent.
 */
function leaToAdd(i: MInst, phys: (r: number) => number): MInst {
  if (i.mnem !== 'leal' && i.mnem !== 'leaq') return i;
  const [m, d] = i.ops;
  if (m.k !== 'mem' || d.k !== 'reg' || m.rip || m.slot !== undefined || m.base === undefined) return i;
  const sfx = i.mnem.slice(3);
  const dst = phys(d.r);
  if (m.index === undefined && phys(m.base) === dst) return { ...i, mnem: `add${sfx}`, ops: [imm(m.disp), d], acc: ['r', 'rw'] };
  if (m.index !== undefined && (m.scale ?? 1) === 1 && m.disp === 0n) {
    if (phys(m.base) === dst) return { ...i, mnem: `add${sfx}`, ops: [{ k: 'reg', r: m.index, sz: d.sz }, d], acc: ['r', 'rw'] };
    if (phys(m.index) === dst) return { ...i, mnem: `add${sfx}`, ops: [{ k: 'reg', r: m.base, sz: d.sz }, d], acc: ['r', 'rw'] };
  }
  return i;
}

/** Turns allocated machine code into items: `colour` maps every virtual register to a physical one. */
export function emitFunc(mf: MFunc, colour: Map<number, number>): Item[] {
  const phys = (r: number): number => (r < FIRST_VREG ? r : colour.get(r)!);
  const used = new Set<number>();
  for (const b of mf.blocks) {
    for (const i of b.insts) {
      for (const op of i.ops) {
        if (op.k === 'reg') used.add(phys(op.r));
        if (op.k === 'mem') for (const r of [op.base, op.index]) if (r !== undefined) used.add(phys(r));
      }
      for (const r of i.implDefs ?? []) if (i.mnem !== 'call' && i.mnem !== 'syscall') used.add(r);
    }
  }
  const frame = layoutFrame(mf, used);
  const items: Item[] = [];
  const ins = (mnem: string, ops: Operand[], loc?: SourceLoc, prefixes?: string[]): void => {
    const it: Instr = { kind: 'instr', mnem, ops, loc };
    if (prefixes) it.prefixes = prefixes;
    items.push(it);
  };
  const R = (r: number, sz: Size): Operand => ({ kind: 'reg', reg: regName(r, sz) });
  const loc = mf.loc;
  items.push({ kind: 'align', align: 16 });
  if (mf.exported) items.push({ kind: 'global', name: mf.name });
  items.push({ kind: 'type', name: mf.name, type: 'function' });
  items.push({ kind: 'label', name: mf.name, loc });
  // Call frame information (cfi items): the frame after each instruction that changes it. rbp
  // is saved at CFA - 16 and the pushed registers below it, in push order.
  const cfi = (cfaReg: number, cfaOffset: number, saved: number[]): void => {
    const regs = saved.map((r, k) => ({ reg: DWARF_REG[r], offset: -16 - 8 * k }));
    items.push({ kind: 'cfi', frame: { func: mf.name, cfa: { reg: DWARF_REG[cfaReg], offset: cfaOffset }, saved: regs } });
  };
  const inFrame = [RBP, ...frame.saved];
  ins('pushq', [R(RBP, 8)], loc);
  cfi(RSP, 16, [RBP]);
  ins('movq', [R(RSP, 8), R(RBP, 8)], loc);
  cfi(RBP, 16, [RBP]);
  frame.saved.forEach((r, k) => (ins('pushq', [R(r, 8)], loc), cfi(RBP, 16, inFrame.slice(0, k + 2))));
  if (frame.size) ins('subq', [{ kind: 'imm', value: { addend: BigInt(frame.size) } }, R(RSP, 8)], loc);

  const operand = (op: MOp): Operand => {
    switch (op.k) {
      case 'reg':
        return R(phys(op.r), op.sz);
      case 'sreg':
        return { kind: 'reg', reg: op.name };
      case 'imm':
        return { kind: 'imm', value: { sym: op.sym, addend: op.v } };
      case 'label':
        return { kind: 'target', value: { sym: op.name, addend: 0n } };
      case 'mem': {
        const m: Operand = { kind: 'mem', disp: { addend: op.disp } };
        if (op.rip) {
          m.base = 'rip';
          m.disp = { sym: op.sym, addend: op.disp };
        } else if (op.sym !== undefined) {
          m.disp = { sym: op.sym, addend: op.disp };
        } else if (op.slot !== undefined) {
          m.base = 'rbp';
          m.disp = { addend: BigInt(frame.slotOffset[op.slot]) + op.disp };
        } else if (op.base !== undefined) m.base = regName(phys(op.base), 8);
        if (op.index !== undefined) {
          m.index = regName(phys(op.index), 8);
          m.scale = op.scale ?? 1;
        }
        return m;
      }
    }
  };
  const epilogue = (l?: SourceLoc): void => {
    if (frame.saved.length) {
      if (frame.size) ins('leaq', [{ kind: 'mem', base: 'rbp', disp: { addend: BigInt(-8 * frame.saved.length) } }, R(RSP, 8)], l);
      for (let k = frame.saved.length - 1; k >= 0; k--) (ins('popq', [R(frame.saved[k], 8)], l), cfi(RBP, 16, inFrame.slice(0, k + 1)));
      ins('popq', [R(RBP, 8)], l);
    } else if (frame.size) ins('leave', [], l);
    else ins('popq', [R(RBP, 8)], l);
    cfi(RSP, 8, []);
    ins('ret', [], l);
    cfi(RBP, 16, inFrame); // the code after a return is reached by a jump, inside the frame
  };

  const afterPrologue = items.length;
  duplicateSmallTails(mf, (i) => i.mnem === 'entry' || isNopCopy(i, phys));
  // Where user variables are, from the final code (after tail duplication).
  let vt: VarTracker | undefined;
  if (mf.vars?.length) {
    vt = new VarTracker(mf, mf.vars, phys, frame.slotOffset);
    items.splice(afterPrologue, 0, ...vt.declare());
  }
  mf.blocks.forEach((b, k) => {
    items.push({ kind: 'label', name: b.label });
    if (vt) items.push(...vt.block(k));
    const next = mf.blocks[k + 1]?.label;
    const body = b.insts;
    for (let n = 0; n < body.length; n++) {
      const i = body[n];
      if (i.mnem === 'entry' || isNopCopy(i, phys)) {
        if (vt) items.push(...vt.after(i));
        continue;
      }
      if (i.mnem === 'ret') {
        if (vt) items.push(...vt.epilogue());
        epilogue(i.loc);
        continue;
      }
      // Branches: fall through to the next block where possible.
      const target = (x: MInst | undefined) => (x && x.ops[0]?.k === 'label' ? x.ops[0].name : undefined);
      if (i.mnem === 'jmp' && target(i) === next && n === body.length - 1) continue;
      const after = body[n + 1];
      const cc = i.mnem.startsWith('j') && i.mnem !== 'jmp' ? i.mnem.slice(1) : undefined;
      if (cc && after?.mnem === 'jmp' && n + 1 === body.length - 1 && target(i) === next && INVERSE[cc]) {
        ins(`j${INVERSE[cc]}`, [operand(after.ops[0])], i.loc);
        n++;
        continue;
      }
      const j = leaToAdd(i, phys);
      if (vt) items.push(...vt.before(i));
      ins(j.mnem, j.ops.map(operand), j.loc, j.prefixes);
      if (vt) items.push(...vt.after(i));
    }
  });
  const end = `.L${mf.name}_end`;
  items.push({ kind: 'label', name: end });
  items.push({ kind: 'size', name: mf.name, expr: { kind: 'binary', op: '-', left: { kind: 'sym', name: end }, right: { kind: 'sym', name: mf.name } } });
  return items;
}
