// Instruction selection: SSA IR -> x86-64 machine instructions over virtual registers.
//
// Selection works one IR instruction at a time, with three kinds of folding decided per block
// beforehand: address arithmetic (add, shl by 1..3, constant offsets, stack slots) into x86
// addressing modes; a compare used only by the branch or select right after it into cmp + jcc /
// cmov; and stack slot addresses into rbp-relative operands. Fixed-register constraints (argument
// and result registers, rax/rdx for division, cl for shifts, dx/al for port I/O, ...) are written
// as moves to and from physical registers; the register allocator then coalesces most of them.
// Phis become copies through a fresh temporary per phi (critical edges are split first), which
// keeps parallel-copy semantics without a swap algorithm; coalescing removes the copies.
//
// Around this file: mach.ts (registers, machine instructions), calls.ts (parameters and calls),
// intrinsics.ts (intrinsics), divconst.ts (division by constants); emit.ts turns the allocated
// result into assembler items (frame, prologue, epilogue).

import type { SourceLoc } from '../../linker/object.js';
import type { Cls, CmpOp, Func, Inst, Value, Width } from '../ir/ir.js';
import { selectCall, selectParams } from './calls.js';
import { divByConstant } from './divconst.js';
import { ARG_REGS, FIRST_VREG, fitsS32, imm, immFits, immOf, RAX, RCX, RDX, reg, sizeOf, SUFFIX, type Acc, type MFunc, type MInst, type MOp, type SelectCtx, type Size } from './mach.js';
import { machineVars } from './varlocs.js';
import { buildCfg, loopDepths, splitCriticalEdges } from '../ir/cfg.js';
import { instDst, instUses, succs, termUses, valueCls } from '../ir/walk.js';
import { selectIntrin } from './intrinsics.js';
import { planRotate, selectRotate, type Rotate } from './rotate.js';

const CC: Record<CmpOp, string> = { eq: 'e', ne: 'ne', slt: 'l', sle: 'le', sgt: 'g', sge: 'ge', ult: 'b', ule: 'be', ugt: 'a', uge: 'ae' };

/** Operations whose result's low bytes depend only on the operands' low bytes. */
const RMW_LOW = new Set<string>(['add', 'sub', 'and', 'or', 'xor']);
const COMMUTATIVE = new Set<string>(['add', 'and', 'or', 'xor']);
/** Instructions that may write memory: no load is moved past one. */
const clobbers = (i: Inst): boolean => i.op === 'store' || i.op === 'call' || i.op === 'intrin' || (i.op === 'load' && !!i.volatile);
const sameAddr = (a: Value, b: Value): boolean =>
  (a.kind === 'vreg' && b.kind === 'vreg' && a.id === b.id) || (a.kind === 'sym' && b.kind === 'sym' && a.name === b.name && a.addend === b.addend) ||
  (a.kind === 'const' && b.kind === 'const' && a.value === b.value);

// ---------------------------------------------------------------------------------------------
// Selection

/** Selection state for one function; calls.ts, intrinsics.ts and divconst.ts extend it by functions (through SelectCtx). */
export class Selector implements SelectCtx {
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
  /** An or/add/xor of two shifts that is a rotate (rotate.ts). */
  rotate = new Map<Inst, Rotate>();
  phiTemp = new Map<Inst, number>();
  /** A 64-bit extension of a load of its width: one extending load (planExtLoad). */
  extLoad = new Map<Inst, Extract<Inst, { op: 'load' }>>();
  /** The block being selected. */
  block = 0;
  /** Class-w vregs whose register is known to have its upper 32 bits clear (see zeroExtendedRegs). */
  zx = new Set<number>();

  constructor(readonly f: Func) {
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
      const sh = this.onlyUse(x, block);
      if (sh && sh.op === 'bin' && sh.bin === 'shl' && sh.cls === 'l' && sh.b.kind === 'const' && sh.b.value >= 1n && sh.b.value <= 3n) {
        this.folded.add(sh);
        this.planOffset(sh.a, block);
        return;
      }
    }
    this.planOffset(d.a, block);
    this.planOffset(d.b, block);
  }

  /** The definition of v when v has no other use than the one being planned. */
  onlyUse(v: Value, block: number): Inst | undefined {
    return this.defIn(v, block) ?? (v.kind === 'vreg' && this.useCount.get(v.id) === 1 ? this.def.get(v.id)?.inst : undefined);
  }

  /**
   * A constant added to a base or index register moves into the displacement: `a[i - 15]` is
   * `a-60(,%rdi,4)`, not `lea -15(%rdi), %rax` first (address arithmetic wraps at 64 bits, so
   * (i + k) * s = i * s + k * s always).
   */
  planOffset(v: Value, block: number): void {
    const d = this.onlyUse(v, block);
    if (!d || d.op !== 'bin' || d.bin !== 'add' || d.cls !== 'l' || d.a.kind !== 'vreg' || d.b.kind !== 'const' || this.folded.has(d) || this.memOperand.has(d)) return;
    const k = BigInt.asIntN(64, d.b.value);
    if (k >= -(1n << 24n) && k < 1n << 24n && this.allocaSlot.get(d.a.id) === undefined) this.folded.add(d);
  }

  /** v without a constant that planOffset moved into the displacement, and that constant. */
  offsetOf(v: Value): [Value, bigint] {
    const d = v.kind === 'vreg' ? this.def.get(v.id)?.inst : undefined;
    if (d && d.op === 'bin' && d.bin === 'add' && d.cls === 'l' && d.b.kind === 'const' && this.folded.has(d)) return [d.a, BigInt.asIntN(64, d.b.value)];
    return [v, 0n];
  }

  /**
   * `x op load(p)` reads memory directly (`addq (%rdi), %rax`) when the load has no other use, has
   * the operation's full width, and no store, call or intrinsic sits between it and the operation.
   */
  planLoadOperand(i: Inst, k: number, b: number): void {
    if (i.op !== 'bin' || !['add', 'sub', 'and', 'or', 'xor', 'mul'].includes(i.bin)) return;
    if (this.folded.has(i) || this.rotate.has(i)) return;
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
   * `i64(load<i32>(p))` is one `movslq (p), %rax`: an extension to 64 bits of a load of the same
   * width, the load's only use, with no store, call, intrinsic or volatile access between them
   * (the load moves down to the extension).
   */
  planExtLoad(i: Inst, k: number, b: number): void {
    if (i.op !== 'ext' || i.cls !== 'l') return;
    const ld = this.defIn(i.a, b);
    if (!ld || ld.op !== 'load' || ld.volatile || ld.width !== i.from || this.folded.has(ld)) return;
    const insts = this.f.blocks[b].insts;
    if (insts.slice(insts.indexOf(ld) + 1, k).some(clobbers)) return;
    this.folded.add(ld);
    this.extLoad.set(i, ld);
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
      this.planExtLoad(i, k, b);
      const rot = planRotate(this, i);
      if (rot) this.rotate.set(i, rot);
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
      if (sb && this.folded.has(sb) && sb.op === 'bin' && sb.bin === 'shl') {
        scale = (1 << Number(sb.b.kind === 'const' ? sb.b.value : 0n)) as 1 | 2 | 4 | 8;
        index = sb.a;
      } else if (sa && this.folded.has(sa) && sa.op === 'bin' && sa.bin === 'shl' && sa !== sb) {
        scale = (1 << Number(sa.b.kind === 'const' ? sa.b.value : 0n)) as 1 | 2 | 4 | 8;
        [base, index] = [d.b, sa.a];
      }
      // A symbol base with an index is an absolute sign-extended disp32 (`a(,%rax,4)`): every
      // symbol lies in the low 2 GiB (Linux target) or the top 2 GiB (kernel), so it needs no lea.
      if (index.kind === 'sym' && scale === 1 && base.kind !== 'sym') [base, index] = [index, base];
      const [ix0, ik] = this.offsetOf(index);
      const [b0, bk] = this.offsetOf(base);
      const moved = disp + ik * BigInt(scale) + bk;
      if (fitsS32(moved + (base.kind === 'sym' ? base.addend : 0n))) [index, base, disp] = [ix0, b0, moved];
      else if (ik !== 0n || bk !== 0n) {
        // Too far for a disp32 together: compute the offset registers after all.
        const undo = (v: Value, k: bigint): Value => {
          if (k === 0n) return v;
          const t = this.tmp(8);
          this.emit('leaq', [{ k: 'mem', base: this.v((v as { id: number }).id), disp: k }, reg(t, 8)], ['r', 'w']);
          return { kind: 'vreg', id: t - FIRST_VREG, cls: 'l' };
        };
        [index, base] = [undo(ix0, ik), undo(b0, bk)];
      }
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
      if (b === layout[0]) selectParams(this);
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

  selectBlock(b: number): void {
    const blk = this.f.blocks[b];
    this.block = b;
    for (const i of blk.insts) {
      if (i.op !== 'phi') continue;
      this.loc = i.loc;
      this.copy(this.phiTempOf(i), this.v(i.dst), sizeOf(i.cls));
    }
    // Phi copies for the successor (the only one, since critical edges are split). A copy of
    // another of the successor's phis (`prev = cur` in a list walk) goes first: the old value then
    // dies before the block computes the new one, which can take its register (no copy of it).
    const t = blk.term;
    const incoming = succs(t).flatMap((s) =>
      this.f.blocks[s].insts.flatMap((i) => {
        const inc = i.op === 'phi' ? i.incoming.find((x) => x.block === b) : undefined;
        return inc ? [{ phi: i, value: inc.value, early: inc.value.kind === 'vreg' && this.def.get(inc.value.id)?.block === s && this.def.get(inc.value.id)?.inst.op === 'phi' }] : [];
      }),
    );
    const phiCopies = (early: boolean) => {
      for (const x of incoming) if (x.early === early) this.materialise(x.value, this.phiTempOf(x.phi), sizeOf((x.phi as { cls: Cls }).cls));
    };
    phiCopies(true);
    for (const i of blk.insts) {
      if (i.op === 'phi' || this.folded.has(i)) continue;
      this.loc = i.loc ?? this.loc;
      this.inst(i);
    }
    this.loc = t.loc ?? this.loc;
    phiCopies(false);
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
      case 'ext': {
        const ld = this.extLoad.get(i);
        if (ld) return this.load('l', this.v(i.dst), this.addr(ld.addr), ld.width, i.signed);
        return this.ext(i.cls, i.dst, i.a, i.from, i.signed);
      }
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
        return selectCall(this, i.callee, i.args, i.dst, i.cls);
      case 'intrin':
        return selectIntrin(this, i.name, i.args, i.dst, i.cls, i.width);
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
    const rot = this.rotate.get(i);
    if (rot) return selectRotate(this, i, rot);
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
        if (bc !== undefined && a.kind === 'vreg' && divByConstant(this, i, signed ? bc : BigInt.asUintN(sz * 8, bc))) return;
        const rb = this.regOf(b, sz);
        this.materialise(a, RAX, sz);
        if (signed) this.emit(sz === 8 ? 'cqto' : 'cltd', [], [], { implUses: [RAX], implDefs: [RDX] });
        else this.emit('xorl', [reg(RDX, 4), reg(RDX, 4)], ['n', 'w']);
        this.emit(`${signed ? 'idiv' : 'div'}${sfx}`, [rb], ['r'], { implUses: [RAX, RDX], implDefs: [RAX, RDX] });
        this.copy(i.bin === 'sdiv' || i.bin === 'udiv' ? RAX : RDX, d, sz);
        return;
      }
    }
    // Two-address form: d = a; d op= b. When b dies here and a lives on, a commutative operation
    // starts from b instead: the copy into d then coalesces (xorl %ecx, %eax, not movl + xorl).
    const swap = (COMMUTATIVE.has(i.bin) || i.bin === 'mul') && b.kind === 'vreg' && this.useCount.get(b.id) === 1 && this.outlives(a, i);
    const src = this.srcOf(swap ? a : b, sz);
    this.materialise(swap ? b : a, d, sz);
    const mn = i.bin === 'mul' ? 'imul' : i.bin;
    this.emit(`${mn}${sfx}`, [src, reg(d, sz)], ['r', 'rw']);
  }

  /**
   * Whether v is still live after instruction i: read later in the block being selected, or read
   * elsewhere too and not a phi (a loop-carried phi's other reads are usually on the way out).
   */
  outlives(v: Value, i: Inst): boolean {
    if (v.kind !== 'vreg') return false;
    if ((this.useCount.get(v.id) ?? 0) > 1 && this.def.get(v.id)?.inst.op !== 'phi') return true;
    const blk = this.f.blocks[this.block];
    const reads = (x: Value) => x.kind === 'vreg' && x.id === v.id;
    return blk.insts.slice(blk.insts.indexOf(i) + 1).some((j) => instUses(j).some(reads)) || termUses(blk.term).some(reads);
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
