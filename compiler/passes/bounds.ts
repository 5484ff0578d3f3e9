// Bounds-check elimination (see compiler/frontend/bounds.ts): a branch on `x <u C` (C a constant)
// whose outcome is known is made unconditional, and SCCP and cleanup then drop the failure path.
// The proof: x is the 64-bit extension (or the value) of an SSA value v that is at least 0 and
// below C on every path to the check, because
//   - the check's block is dominated by the taken edge of a branch on `v < M` (or `v <= M`, or the
//     not-taken edge of `v >= M`) with M <= C, and
//   - v is at least 0: a non-negative constant, a zero extension, a mask, or an induction variable
//     `phi(c0 >= 0, v + k)` (k > 0) whose increment is itself guarded by such a branch, so that it
//     cannot wrap.
// This is the loop `for (let i = 0; i < N; i++) a[i]` with N no larger than a's length; anything
// else keeps its check.

import type { Func, Inst, Value, CmpOp } from '../ir/ir.js';
import { buildCfg, dominators, type Cfg } from '../ir/cfg.js';

interface Fact {
  v: number; // the vreg compared
  op: CmpOp; // v op m holds
  m: bigint;
  cls: 'w' | 'l';
}

const NEGATE: Partial<Record<CmpOp, CmpOp>> = { sge: 'slt', sgt: 'sle', uge: 'ult', ugt: 'ule', slt: 'sge', sle: 'sgt', ult: 'uge', ule: 'ugt' };
const SWAP: Partial<Record<CmpOp, CmpOp>> = { slt: 'sgt', sle: 'sge', sgt: 'slt', sge: 'sle', ult: 'ugt', ule: 'uge', ugt: 'ult', uge: 'ule' };

export function boundsElim(f: Func): boolean {
  const cfg = buildCfg(f);
  const idom = dominators(cfg);
  const defs = new Map<number, { inst: Inst; block: number }>();
  f.blocks.forEach((blk, b) => {
    for (const i of blk.insts) if ('dst' in i && i.dst !== undefined) defs.set(i.dst, { inst: i, block: b });
  });
  const edge = (b: number) => edgeFact(f, cfg, defs, b);
  /** The facts that hold on entry to b: those of the edges into the blocks dominating it. */
  const factsAt = (b: number): Fact[] => {
    const out: Fact[] = [];
    for (let x = b, n = 0; x >= 0 && n < 1000; x = x === cfg.rpo[0] ? -1 : idom[x], n++) {
      const fact = edge(x);
      if (fact) out.push(fact);
    }
    return out;
  };
  /**
   * An upper bound (inclusive) of v known in block b. Read for a v that is at least 0 (or, for an
   * induction variable, whose other values are), where `v < M` means the same signed or unsigned.
   */
  const upper = (v: number, b: number): bigint | undefined => {
    let best: bigint | undefined;
    for (const fact of factsAt(b)) {
      if (fact.v !== v) continue;
      const hi = fact.op === 'slt' || fact.op === 'ult' ? fact.m - 1n : fact.op === 'sle' || fact.op === 'ule' ? fact.m : undefined;
      if (hi !== undefined && (best === undefined || hi < best)) best = hi;
    }
    return best;
  };
  const nonNegative = (v: Value, depth = 0): boolean => {
    if (v.kind === 'const') return v.value >= 0n && (v.cls === 'l' ? v.value < 1n << 63n : v.value < 1n << 31n);
    if (v.kind !== 'vreg' || depth > 8) return false;
    const d = defs.get(v.id);
    if (!d) return false;
    const i = d.inst;
    if (i.op === 'ext') return !i.signed || nonNegative(i.a, depth + 1);
    if (i.op === 'bin' && i.bin === 'and') return nonNegative(i.a, depth + 1) || nonNegative(i.b, depth + 1);
    if (i.op === 'bin' && i.bin === 'shr' && i.b.kind === 'const' && i.b.value > 0n) return true;
    if (i.op === 'bin' && i.bin === 'urem' && i.b.kind === 'const') return i.b.value > 0n && i.b.value <= (i.cls === 'l' ? 1n << 63n : 1n << 31n);
    if (i.op === 'phi') return i.incoming.every((inc) => nonNegative(inc.value, depth + 1) || isGuardedIncrement(inc.value, v.id));
    return false;
  };
  /** `phi + k` (k > 0) computed where phi is known below a bound that keeps the sum from wrapping. */
  const isGuardedIncrement = (x: Value, phi: number): boolean => {
    if (x.kind !== 'vreg') return false;
    const d = defs.get(x.id);
    if (!d || d.inst.op !== 'bin' || d.inst.bin !== 'add') return false;
    const { a, b, cls } = d.inst;
    const k = b.kind === 'const' ? b.value : undefined;
    if (!(a.kind === 'vreg' && a.id === phi && k !== undefined && k > 0n)) return false;
    const hi = upper(phi, d.block);
    const max = cls === 'l' ? (1n << 63n) - 1n : (1n << 31n) - 1n;
    return hi !== undefined && hi + k <= max;
  };
  let changed = false;
  f.blocks.forEach((blk, b) => {
    const t = blk.term;
    if (t.op !== 'br' || t.cond.kind !== 'vreg') return;
    const c = defs.get(t.cond.id)?.inst;
    if (!c || c.op !== 'cmp' || c.cmp !== 'ult' || c.cls !== 'l' || c.b.kind !== 'const' || c.a.kind !== 'vreg') return;
    const limit = c.b.value;
    // The index before its extension to 64 bits.
    const d = defs.get(c.a.id)?.inst;
    const v: Value = d?.op === 'ext' && d.from === 4 ? d.a : c.a;
    if (v.kind !== 'vreg' || !nonNegative(v)) return;
    const hi = upper(v.id, b);
    if (hi === undefined || hi >= limit) return;
    t.cond = { kind: 'const', value: 1n, cls: 'w' };
    changed = true;
  });
  return changed;
}

/** The condition that holds on entry to b when its only predecessor ends in a branch on a compare with a constant. */
function edgeFact(f: Func, cfg: Cfg, defs: Map<number, { inst: Inst; block: number }>, b: number): Fact | undefined {
  if (cfg.preds[b].length !== 1) return undefined;
  const t = f.blocks[cfg.preds[b][0]].term;
  if (t.op !== 'br' || t.then === t.else || t.cond.kind !== 'vreg') return undefined;
  const c = defs.get(t.cond.id)?.inst;
  if (!c || c.op !== 'cmp') return undefined;
  let op: CmpOp | undefined = c.cmp;
  let v: Value = c.a;
  let m: Value = c.b;
  if (v.kind === 'const' && m.kind === 'vreg') {
    [v, m] = [m, v];
    op = SWAP[op];
  }
  if (!op || v.kind !== 'vreg' || m.kind !== 'const') return undefined;
  if (t.else === b) op = NEGATE[op];
  if (!op) return undefined;
  const bits = c.cls === 'l' ? 64 : 32;
  const signed = op[0] === 's';
  return { v: v.id, op, m: signed ? BigInt.asIntN(bits, m.value) : BigInt.asUintN(bits, m.value), cls: c.cls };
}
