// Bounds-check elimination (see compiler/frontend/bounds.ts): a check is a branch on `x <u L`
// (x the 64-bit index, L the length: a constant, or a Slice's length); when x is proven to be at
// least 0 and below the smallest value L can have, the branch is made unconditional, and SCCP and
// cleanup then drop the failure path.
//
// The proof is a value range (signed, at the value's width) of x where the check is, computed from
//   - the instructions that make x: constants, extensions and truncations that keep the value,
//     narrow loads, `and` with a non-negative operand, `urem`/`udiv`/`shr` by a constant,
//     additions and subtractions that cannot wrap, copies, selects and phis;
//   - the compares that dominate the check: the block is reached only through the taken (or not
//     taken) edge of a branch on `v op w`, which bounds v by w's range (`if (i < n)`, `h >= 64`
//     returning early, a loop's condition);
//   - the compare that takes each edge into a phi, for the value the phi receives on that edge;
//   - induction variables: `phi(init, phi + k)` (k > 0) is at least init's lower bound when its
//     increment cannot wrap.
// This covers `for (let i = 0; i < N; i++) a[i]` with N no larger than a's length, an index
// checked against the length (or a smaller bound) before use, a masked or reduced index, and
// their truncations to i32; anything else keeps its check.

import type { Func, Inst, Value, CmpOp, Cls } from '../ir/ir.js';
import { buildCfg, dominators } from '../ir/cfg.js';

/** Inclusive bounds of a value read as a signed integer of its class's width. */
interface Range {
  lo: bigint;
  hi: bigint;
}

interface Fact {
  v: number; // the vreg compared
  op: CmpOp; // v op w holds
  w: Value;
  block: number; // the branch's block, where w's range is read
}

const NEGATE: Record<CmpOp, CmpOp> = { eq: 'ne', ne: 'eq', sge: 'slt', sgt: 'sle', uge: 'ult', ugt: 'ule', slt: 'sge', sle: 'sgt', ult: 'uge', ule: 'ugt' };
const SWAP: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', slt: 'sgt', sle: 'sge', sgt: 'slt', sge: 'sle', ult: 'ugt', ule: 'uge', ugt: 'ult', uge: 'ule' };
/** How deep the range of an operand's operand is followed. */
const MAX_DEPTH = 12;

const bitsOf = (cls: Cls): number => (cls === 'l' ? 64 : 32);
const full = (bits: number): Range => ({ lo: -(1n << BigInt(bits - 1)), hi: (1n << BigInt(bits - 1)) - 1n });
const within = (r: Range, bounds: Range): boolean => r.lo >= bounds.lo && r.hi <= bounds.hi;
/** The values of an unsigned field of `bits` bits. */
const unsignedBits = (bits: number): Range => ({ lo: 0n, hi: (1n << BigInt(bits)) - 1n });

export function boundsElim(f: Func): boolean {
  const cfg = buildCfg(f);
  const idom = dominators(cfg);
  const defs = new Map<number, { inst: Inst; block: number }>();
  f.blocks.forEach((blk, b) => {
    for (const i of blk.insts) if ('dst' in i && i.dst !== undefined) defs.set(i.dst, { inst: i, block: b });
  });
  const edgeFacts = new Map<number, Fact | undefined>();
  const edge = (b: number): Fact | undefined => {
    if (!edgeFacts.has(b)) edgeFacts.set(b, entryFact(b));
    return edgeFacts.get(b);
  };
  const dominates = (a: number, b: number): boolean => {
    for (let x = b, n = 0; n < 1000; x = idom[x], n++) {
      if (x === a) return true;
      if (x === cfg.rpo[0] || x < 0) return false;
    }
    return false;
  };
  /**
   * The compare that holds on entry to b: b has one predecessor, or one besides the back edges of
   * a loop it heads, and that predecessor branches on a compare of a value defined before b (the
   * back edges bring the same value).
   */
  const entryFact = (b: number): Fact | undefined => {
    const entries = cfg.preds[b].filter((p) => !dominates(b, p));
    if (entries.length !== 1) return undefined;
    const fact = edgeFact(f, defs, entries[0], b);
    if (!fact || cfg.preds[b].length === 1) return fact;
    const d = defs.get(fact.v);
    return !d || (d.block !== b && dominates(d.block, b)) ? fact : undefined;
  };
  /** The facts that hold on entry to b: those of the edges into the blocks dominating it. */
  const factsIn = new Map<number, Fact[]>();
  const factsAt = (b: number): Fact[] => {
    const cached = factsIn.get(b);
    if (cached) return cached;
    const out: Fact[] = [];
    factsIn.set(b, out);
    for (let x = b, n = 0; x >= 0 && n < 1000; x = x === cfg.rpo[0] ? -1 : idom[x], n++) {
      const fact = x === cfg.rpo[0] ? undefined : edge(x); // the entry is entered from outside too
      if (fact) out.push(fact);
    }
    return out;
  };
  // Ranges of (value, block) pairs: those being computed (a cycle gives up there) and those known.
  // A range cut short by the depth limit or a cycle is wider than it might be, never wrong.
  const active = new Set<string>();
  const known = new Map<string, Range>();
  const range = (v: Value, b: number, depth = 0): Range => {
    if (v.kind === 'const') {
      const bits = bitsOf(v.cls);
      return { lo: BigInt.asIntN(bits, v.value), hi: BigInt.asIntN(bits, v.value) };
    }
    if (v.kind !== 'vreg') return full(64);
    const whole = full(bitsOf(v.cls));
    const key = `${v.id}@${b}`;
    const seen = known.get(key);
    if (seen) return seen;
    if (depth > MAX_DEPTH || active.has(key)) return whole;
    active.add(key);
    let r = defRange(v.id, b, depth) ?? whole;
    for (const fact of factsAt(b)) if (fact.v === v.id) r = narrow(r, fact.op, range(fact.w, fact.block, depth + 1));
    active.delete(key);
    known.set(key, r);
    return r;
  };
  /** The range an instruction gives its result (undefined: anything). */
  const defRange = (id: number, b: number, depth: number): Range | undefined => {
    const d = defs.get(id);
    if (!d) return undefined;
    const i = d.inst;
    const sub = (x: Value, at = b) => range(x, at, depth + 1);
    switch (i.op) {
      case 'copy':
        return sub(i.a);
      case 'ext': {
        // The low `from` bytes of a, extended: the value itself when it fits them.
        const bits = i.from * 8;
        const kept: Range = i.signed ? full(bits) : unsignedBits(bits);
        const r = sub(i.a);
        const out = bits >= bitsOf(i.cls) ? full(bitsOf(i.cls)) : kept;
        return within(r, kept) && within(r, full(bitsOf(i.cls))) ? r : out;
      }
      case 'load':
        return i.width * 8 < bitsOf(i.cls) ? (i.signed ? full(i.width * 8) : unsignedBits(i.width * 8)) : undefined;
      case 'select': {
        const [x, y] = [sub(i.a), sub(i.b)];
        return { lo: x.lo < y.lo ? x.lo : y.lo, hi: x.hi > y.hi ? x.hi : y.hi };
      }
      case 'phi':
        return phiRange(id, i, d.block, depth);
      case 'bin':
        return binRange(i, sub);
      default:
        return undefined;
    }
  };
  /** x's range on the edge from p to b: narrowed by the branch that takes it, when that compares x. */
  const onEdge = (x: Value, p: number, b: number, depth: number): Range => {
    const r = range(x, p, depth + 1);
    const fact = edgeFact(f, defs, p, b);
    return fact && x.kind === 'vreg' && fact.v === x.id ? narrow(r, fact.op, range(fact.w, p, depth + 1)) : r;
  };
  /**
   * The union of the incomings' ranges (each on its edge). An increment `phi + k` (k > 0) of an
   * induction variable is at least phi when it cannot wrap: when the union's upper bound plus k
   * does not, or phi is below a bound where the increment is computed.
   */
  const phiRange = (id: number, i: Inst & { op: 'phi' }, block: number, depth: number): Range | undefined => {
    let out: Range | undefined;
    let hi = full(bitsOf(i.cls)).lo;
    const steps: { k: bigint; at: number }[] = [];
    for (const inc of i.incoming) {
      const r = onEdge(inc.value, inc.block, block, depth);
      const step = increment(inc.value, id, i.cls);
      if (step) steps.push(step);
      else out = out ? { lo: out.lo < r.lo ? out.lo : r.lo, hi: out.hi > r.hi ? out.hi : r.hi } : r;
      if (r.hi > hi) hi = r.hi;
    }
    if (!out || !steps.length) return out;
    const max = full(bitsOf(i.cls)).hi;
    const noWrap = steps.every(({ k, at }) => {
      const bound = upperFromFacts(id, at);
      return hi + k <= max || (bound !== undefined && bound + k <= max);
    });
    return noWrap ? { lo: out.lo, hi } : undefined;
  };
  /** For x = `phi + k` with a constant k > 0: k and the block computing x. */
  const increment = (x: Value, phi: number, cls: Cls): { k: bigint; at: number } | undefined => {
    if (x.kind !== 'vreg') return undefined;
    const d = defs.get(x.id);
    if (!d || d.inst.op !== 'bin' || d.inst.bin !== 'add') return undefined;
    const { a, b } = d.inst;
    if (!(a.kind === 'vreg' && a.id === phi && b.kind === 'const')) return undefined;
    const k = BigInt.asIntN(bitsOf(cls), b.value);
    return k > 0n ? { k, at: d.block } : undefined;
  };
  /** An upper bound of v from the compares dominating b alone (what an increment of an induction variable may read). */
  const upperFromFacts = (v: number, b: number): bigint | undefined => {
    let best: bigint | undefined;
    for (const fact of factsAt(b)) {
      if (fact.v !== v) continue;
      const w = range(fact.w, fact.block, 1);
      const hi = fact.op === 'slt' || fact.op === 'ult' ? w.hi - 1n : fact.op === 'sle' || fact.op === 'ule' || fact.op === 'eq' ? w.hi : undefined;
      if (hi !== undefined && (fact.op[0] !== 'u' || w.lo >= 0n) && (best === undefined || hi < best)) best = hi;
    }
    return best;
  };
  let changed = false;
  f.blocks.forEach((blk, b) => {
    const t = blk.term;
    if (t.op !== 'br' || t.cond.kind !== 'vreg') return;
    const c = defs.get(t.cond.id)?.inst;
    if (!c || c.op !== 'cmp' || c.cmp !== 'ult' || c.cls !== 'l') return;
    const x = range(c.a, b);
    const len = range(c.b, b);
    if (x.lo < 0n || x.hi >= len.lo) return;
    t.cond = { kind: 'const', value: 1n, cls: 'w' };
    changed = true;
  });
  return changed;
}

/** What `i` (a `bin`) gives from its operands' ranges; undefined when it may wrap or is not followed. */
function binRange(i: Inst & { op: 'bin' }, sub: (x: Value) => Range): Range | undefined {
  const bits = bitsOf(i.cls);
  const k = i.b.kind === 'const' ? BigInt.asUintN(bits, i.b.value) : undefined;
  switch (i.bin) {
    case 'and': {
      const [x, y] = [sub(i.a), sub(i.b)];
      const his = [x, y].filter((r) => r.lo >= 0n).map((r) => r.hi);
      return his.length ? { lo: 0n, hi: his.reduce((m, h) => (h < m ? h : m)) } : undefined;
    }
    case 'urem':
      return k !== undefined && k > 0n && k <= full(bits).hi + 1n ? { lo: 0n, hi: k - 1n } : undefined;
    case 'udiv':
    case 'shr': {
      if (k === undefined || k === 0n) return undefined;
      const x = sub(i.a);
      const d = i.bin === 'udiv' ? k : 1n << (k & BigInt(bits - 1));
      if (d === 1n) return x;
      return x.lo >= 0n ? { lo: x.lo / d, hi: x.hi / d } : { lo: 0n, hi: unsignedBits(bits).hi / d };
    }
    case 'add':
    case 'sub': {
      const [x, y] = [sub(i.a), sub(i.b)];
      const r = i.bin === 'add' ? { lo: x.lo + y.lo, hi: x.hi + y.hi } : { lo: x.lo - y.hi, hi: x.hi - y.lo };
      return within(r, full(bits)) ? r : undefined;
    }
    default:
      return undefined;
  }
}

/** r narrowed by `v op w` holding, w's range given. */
function narrow(r: Range, op: CmpOp, w: Range): Range {
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  switch (op) {
    case 'slt':
      return { lo: r.lo, hi: min(r.hi, w.hi - 1n) };
    case 'sle':
      return { lo: r.lo, hi: min(r.hi, w.hi) };
    case 'sgt':
      return { lo: max(r.lo, w.lo + 1n), hi: r.hi };
    case 'sge':
      return { lo: max(r.lo, w.lo), hi: r.hi };
    case 'eq':
      return { lo: max(r.lo, w.lo), hi: min(r.hi, w.hi) };
    // Unsigned: below a non-negative bound means in [0, bound); above one, for a non-negative v.
    case 'ult':
      return w.lo >= 0n ? { lo: max(r.lo, 0n), hi: min(r.hi, w.hi - 1n) } : r;
    case 'ule':
      return w.lo >= 0n ? { lo: max(r.lo, 0n), hi: min(r.hi, w.hi) } : r;
    case 'ugt':
      return r.lo >= 0n && w.lo >= 0n ? { lo: max(r.lo, w.lo + 1n), hi: r.hi } : r;
    case 'uge':
      return r.lo >= 0n && w.lo >= 0n ? { lo: max(r.lo, w.lo), hi: r.hi } : r;
    default:
      return r;
  }
}

/** The condition that holds on the edge from p to b when p ends in a branch on a compare. */
function edgeFact(f: Func, defs: Map<number, { inst: Inst; block: number }>, p: number, b: number): Fact | undefined {
  const t = f.blocks[p].term;
  if (t.op !== 'br' || t.then === t.else || t.cond.kind !== 'vreg') return undefined;
  const c = defs.get(t.cond.id)?.inst;
  if (!c || c.op !== 'cmp') return undefined;
  let op = c.cmp;
  let v = c.a;
  let w = c.b;
  if (v.kind !== 'vreg') {
    [v, w] = [w, v];
    op = SWAP[op];
  }
  if (v.kind !== 'vreg' || v.cls !== c.cls) return undefined;
  if (t.else === b) op = NEGATE[op];
  return { v: v.id, op, w, block: p };
}
