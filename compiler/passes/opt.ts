// Scalar optimisations on SSA form: sparse conditional constant propagation (Wegman & Zadeck),
// algebraic simplification and copy propagation, dead-code elimination, branch folding.
//
// Folding follows the language's semantics exactly: arithmetic wraps at the class width, shift
// counts are masked to the width, division truncates toward zero, and a division that would trap
// (by zero, or MIN / -1) is never folded: it stays in the code so that it traps at run time.

import type { BinOp, Cls, CmpOp, Func, Inst, Value } from '../ir/ir.js';
import { backEdgeLoops, buildCfg, dominators } from '../ir/cfg.js';
import { boundsElim } from './bounds.js';
import { bitsOf, constant, foldBin, foldCmp, foldExt, foldUn, mayTrap, toSigned as s, toUnsigned as u } from '../ir/fold.js';
import { hasSideEffects, instDst, instUses, mapInstUses, mapTermUses, retarget, succs, termUses, valueCls, vreg } from '../ir/walk.js';
import { cleanupCfg } from './ssa.js';

/** The comparison with its operands swapped: a < b is b > a. */
export const SWAPPED_CMP: Record<CmpOp, CmpOp> = {
  eq: 'eq', ne: 'ne', slt: 'sgt', sle: 'sge', sgt: 'slt', sge: 'sle', ult: 'ugt', ule: 'uge', ugt: 'ult', uge: 'ule',
};

/** The constant an instruction computes from constant operands, if it can be folded. */
function evalInst(i: Inst, val: (v: Value) => bigint): bigint | undefined {
  switch (i.op) {
    case 'bin':
      return foldBin(i.bin, i.cls, val(i.a), val(i.b));
    case 'un':
      return foldUn(i.un, i.cls, val(i.a));
    case 'cmp':
      return foldCmp(i.cmp, i.cls, val(i.a), val(i.b)) ? 1n : 0n;
    case 'ext':
      return foldExt(i.cls, val(i.a), i.from, i.signed);
    case 'copy':
      return u(i.cls, val(i.a));
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Sparse conditional constant propagation

const OVER = 'over' as const;
const FOLDABLE = new Set(['bin', 'un', 'cmp', 'ext', 'copy']);
type Lat = bigint | typeof OVER | undefined; // undefined: not yet known (top)

/** Returns whether it replaced anything. */
export function sccp(f: Func): boolean {
  // Indexed by vreg number and block number: arrays, not Maps and Sets (this pass runs in every
  // optimisation round of every function).
  const lat: Lat[] = [];
  for (const p of f.params) lat[p.vreg] = OVER;
  const execBlock = new Uint8Array(f.blocks.length);
  const execEdge = new Set<number>();
  const n = f.blocks.length;
  const key = (from: number, to: number) => from * n + to;
  const valueLat = (v: Value): Lat => (v.kind === 'const' ? v.value : v.kind === 'sym' ? OVER : lat[v.id]);
  const meet = (a: Lat, b: Lat): Lat => (a === undefined ? b : b === undefined ? a : a === b ? a : OVER);
  const cfg = buildCfg(f);
  // Worklists, as Wegman & Zadeck's algorithm has them: CFG edges that became executable, and the
  // instructions (or terminators) reading a value whose lattice value changed. Each value changes at
  // most twice and each edge is added once, so the pass is linear in the function's size, whatever
  // its loop nesting (sweeping all blocks until nothing changes took one sweep per nesting level).
  const users: { b: number; i?: Inst }[][] = [];
  const addUser = (v: Value, u: { b: number; i?: Inst }) => {
    if (v.kind !== 'vreg') return;
    const list = users[v.id];
    if (list) list.push(u);
    else users[v.id] = [u];
  };
  for (const b of cfg.rpo) {
    for (const i of f.blocks[b].insts) for (const v of instUses(i)) addUser(v, { b, i });
    for (const v of termUses(f.blocks[b].term)) addUser(v, { b });
  }
  const edgeWork: number[] = []; // from, to pairs
  const useWork: { b: number; i?: Inst }[] = [];
  const set = (dst: number, x: Lat) => {
    if (x === undefined || lat[dst] === x || lat[dst] === OVER) return;
    lat[dst] = lat[dst] === undefined ? x : OVER;
    for (const u of users[dst] ?? []) useWork.push(u);
  };
  const edge = (from: number, to: number) => {
    if (!execEdge.has(key(from, to))) edgeWork.push(from, to);
  };
  const visitInst = (b: number, i: Inst): void => {
    const d = instDst(i);
    if (!d) return;
    if (i.op === 'phi') {
      let x: Lat = undefined;
      for (const inc of i.incoming) if (execEdge.has(key(inc.block, b))) x = meet(x, valueLat(inc.value));
      set(d.dst, x);
      return;
    }
    if (i.op === 'select') {
      const c = valueLat(i.cond);
      if (c === undefined) return;
      if (c !== OVER) set(d.dst, valueLat(c !== 0n ? i.a : i.b));
      else set(d.dst, meet(valueLat(i.a), valueLat(i.b)));
      return;
    }
    if (!FOLDABLE.has(i.op)) {
      set(d.dst, OVER);
      return;
    }
    const uses = instUses(i).map(valueLat);
    if (uses.includes(OVER)) {
      set(d.dst, OVER);
      return;
    }
    if (uses.includes(undefined)) return;
    const r = evalInst(i, (v) => valueLat(v) as bigint);
    set(d.dst, r === undefined ? OVER : r);
  };
  const visitTerm = (b: number): void => {
    const t = f.blocks[b].term;
    if (t.op === 'jmp') edge(b, t.target);
    if (t.op === 'br') {
      const c = valueLat(t.cond);
      // An undefined condition is treated as unknown, so both arms stay live.
      if (c === OVER || c === undefined) {
        edge(b, t.then);
        edge(b, t.else);
      } else edge(b, c !== 0n ? t.then : t.else);
    }
  };
  const enter = (b: number): void => {
    execBlock[b] = 1;
    for (const i of f.blocks[b].insts) visitInst(b, i);
    visitTerm(b);
  };
  enter(0);
  while (edgeWork.length || useWork.length) {
    if (edgeWork.length) {
      const to = edgeWork.pop()!;
      const from = edgeWork.pop()!;
      if (execEdge.has(key(from, to))) continue;
      execEdge.add(key(from, to));
      if (!execBlock[to]) enter(to);
      else for (const i of f.blocks[to].insts) if (i.op === 'phi') visitInst(to, i); // a new incoming edge
      continue;
    }
    const u = useWork.pop()!;
    if (!execBlock[u.b]) continue;
    if (u.i) visitInst(u.b, u.i);
    else visitTerm(u.b);
  }
  let replaced = false;
  const clsOf: Cls[] = [];
  for (const blk of f.blocks) for (const i of blk.insts) {
    const d = instDst(i);
    if (d) clsOf[d.dst] = d.cls;
  }
  const rewrite = (v: Value): Value => {
    if (v.kind !== 'vreg') return v;
    const x = lat[v.id];
    if (typeof x !== 'bigint') return v;
    replaced = true;
    return constant(x, clsOf[v.id] ?? v.cls);
  };
  for (const b of cfg.rpo) {
    if (!execBlock[b]) continue;
    const blk = f.blocks[b];
    for (const i of blk.insts) mapInstUses(i, rewrite);
    mapTermUses(blk.term, rewrite);
    const t = blk.term;
    if (t.op === 'br') {
      const thenLive = execEdge.has(key(b, t.then));
      const elseLive = execEdge.has(key(b, t.else));
      if (thenLive !== elseLive) {
        blk.term = { op: 'jmp', target: thenLive ? t.then : t.else, loc: t.loc };
        replaced = true;
      }
    }
  }
  return replaced;
}

// ---------------------------------------------------------------------------------------------
// Algebraic simplification and copy propagation

const isConst = (v: Value, x?: bigint): boolean => v.kind === 'const' && (x === undefined || u(v.cls, v.value) === u(v.cls, x));
const log2 = (v: Value): number => {
  if (v.kind !== 'const' || v.value === 0n) return -1;
  const x = u(v.cls, v.value);
  return (x & (x - 1n)) === 0n ? x.toString(2).length - 1 : -1;
};
const COMMUTATIVE = new Set<BinOp>(['add', 'mul', 'and', 'or', 'xor']);

/** The value an instruction is equal to without computing anything, if any. */
function identity(i: Inst): Value | undefined {
  switch (i.op) {
    case 'copy':
      return i.a;
    case 'ext':
      if ((i.from === 8 && i.cls === 'l' && valueCls(i.a) === 'l') || (i.from === 4 && i.cls === 'w' && valueCls(i.a) === 'w')) return i.a.kind === 'const' ? constant(i.a.value, i.cls) : i.a;
      return undefined;
    case 'select':
      return sameValue(i.a, i.b) ? i.a : undefined;
    case 'phi': {
      let one: Value | undefined;
      for (const inc of i.incoming) {
        const v = inc.value;
        if (v.kind === 'vreg' && v.id === i.dst) continue;
        if (one && !sameValue(one, v)) return undefined;
        one = v;
      }
      return one;
    }
    case 'bin': {
      const { a, b, cls } = i;
      const ones = (1n << BigInt(bitsOf(cls))) - 1n;
      if (['add', 'sub', 'or', 'xor', 'shl', 'shr', 'sar'].includes(i.bin) && isConst(b, 0n)) return a;
      if ((i.bin === 'mul' || i.bin === 'sdiv' || i.bin === 'udiv') && isConst(b, 1n)) return a;
      if ((i.bin === 'mul' || i.bin === 'and') && isConst(b, 0n)) return constant(0n, cls);
      if (i.bin === 'and' && isConst(b, ones)) return a;
      if ((i.bin === 'and' || i.bin === 'or') && sameValue(a, b)) return a;
      if ((i.bin === 'sub' || i.bin === 'xor') && sameValue(a, b)) return constant(0n, cls);
      if (i.bin === 'add' && a.kind === 'sym' && b.kind === 'const') return { kind: 'sym', name: a.name, addend: a.addend + s('l', b.value) };
      return undefined;
    }
    default:
      return undefined;
  }
}

function sameValue(a: Value, b: Value): boolean {
  if (a.kind === 'vreg' && b.kind === 'vreg') return a.id === b.id;
  if (a.kind === 'const' && b.kind === 'const') return u(a.cls, a.value) === u(b.cls, b.value) && a.cls === b.cls;
  if (a.kind === 'sym' && b.kind === 'sym') return a.name === b.name && a.addend === b.addend;
  return false;
}

/** Canonical forms the instruction selector expects: constants on the right, cheap operators. */
function canonicalise(i: Inst): void {
  if (i.op === 'bin' && COMMUTATIVE.has(i.bin) && i.a.kind === 'const' && i.b.kind !== 'const') [i.a, i.b] = [i.b, i.a];
  if (i.op === 'cmp' && i.a.kind === 'const' && i.b.kind !== 'const') {
    [i.a, i.b] = [i.b, i.a];
    i.cmp = SWAPPED_CMP[i.cmp];
  }
  if (i.op !== 'bin') return;
  const k = log2(i.b);
  if (k <= 0) return;
  if (i.bin === 'mul') {
    i.bin = 'shl';
    i.b = constant(BigInt(k), i.cls);
  } else if (i.bin === 'udiv') {
    i.bin = 'shr';
    i.b = constant(BigInt(k), i.cls);
  } else if (i.bin === 'urem') {
    i.bin = 'and';
    i.b = constant((1n << BigInt(k)) - 1n, i.cls);
  }
}

/** Returns whether anything changed. */
export function simplify(f: Func): boolean {
  const repl = new Map<number, Value>();
  for (const b of f.blocks) {
    for (const i of b.insts) {
      canonicalise(i);
      const d = instDst(i);
      const v = d && identity(i);
      if (d && v && !(v.kind === 'vreg' && v.id === d.dst)) repl.set(d.dst, v);
    }
  }
  if (repl.size === 0) return false;
  const resolve = (v: Value): Value => {
    for (let n = 0; v.kind === 'vreg' && repl.has(v.id) && n < 1000; n++) v = repl.get(v.id)!;
    return v;
  };
  for (const b of f.blocks) {
    for (const i of b.insts) mapInstUses(i, resolve);
    mapTermUses(b.term, resolve);
    // The replaced instructions are now unused; DCE removes them (side-effect-free by construction).
    b.insts = b.insts.filter((i) => {
      const d = instDst(i);
      return !(d && repl.has(d.dst) && !hasSideEffects(i));
    });
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Dead-code elimination

/** Removes instructions whose results are never used and that have no effect. */
export function dce(f: Func): boolean {
  const def = new Map<number, Inst>();
  for (const b of f.blocks) for (const i of b.insts) {
    const d = instDst(i);
    if (d) def.set(d.dst, i);
  }
  const live = new Set<number>();
  const work: Value[] = [];
  for (const b of f.blocks) {
    for (const i of b.insts) if (hasSideEffects(i)) work.push(...instUses(i));
    work.push(...termUses(b.term));
  }
  while (work.length) {
    const v = work.pop()!;
    if (v.kind !== 'vreg' || live.has(v.id)) continue;
    live.add(v.id);
    const i = def.get(v.id);
    if (i) work.push(...instUses(i));
  }
  let changed = false;
  for (const b of f.blocks) {
    const keep = b.insts.filter((i) => {
      const d = instDst(i);
      return hasSideEffects(i) || (d !== undefined && live.has(d.dst));
    });
    if (keep.length !== b.insts.length) changed = true;
    b.insts = keep;
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Global value numbering (dominator-tree scoped) and redundant load elimination (per block)

const valueKey = (v: Value): string =>
  v.kind === 'vreg' ? `v${v.id}` : v.kind === 'const' ? `c${v.cls}${u(v.cls, v.value)}` : `s${v.name}+${v.addend}`;

/**
 * The expression an instruction computes, as a hash key, for pure instructions only. Compares are
 * left out: a compare is best recomputed next to its branch, where it fuses into cmp + jcc; so are
 * address scalings (below).
 */
function exprKey(i: Inst): string | undefined {
  switch (i.op) {
    case 'bin': {
      if (mayTrap(i.bin, i.cls, i.b)) return undefined;
      // An index scaled by 2, 4 or 8 is free inside an addressing mode, but only if single-use.
      if (i.bin === 'shl' && i.cls === 'l' && i.b.kind === 'const' && i.b.value >= 1n && i.b.value <= 3n) return undefined;
      let [a, b] = [valueKey(i.a), valueKey(i.b)];
      if (COMMUTATIVE.has(i.bin) && a > b) [a, b] = [b, a];
      return `${i.bin} ${i.cls} ${a} ${b}`;
    }
    case 'un':
      return `${i.un} ${i.cls} ${valueKey(i.a)}`;
    case 'ext':
      return `ext ${i.cls} ${i.from} ${i.signed} ${valueKey(i.a)}`;
    case 'select':
      return `sel ${i.cls} ${valueKey(i.cond)} ${valueKey(i.a)} ${valueKey(i.b)}`;
    default:
      return undefined;
  }
}

/** A load's key; a full-width load's signedness does not matter. */
const loadKey = (addr: Value, width: number, cls: Cls, signed: boolean): string =>
  `${valueKey(addr)} ${width} ${cls} ${signed && width < (cls === 'w' ? 4 : 8)}`;

/** Instructions after which no earlier load may be reused: they may write memory. */
const clobbers = (i: Inst): boolean => i.op === 'store' || i.op === 'call' || i.op === 'intrin' || (i.op === 'load' && !!i.volatile);

/** How far back inheritsLoads looks before giving up (keeps gvn linear on huge functions). */
const MAX_PATH_BLOCKS = 64;

/**
 * Whether block b may start with the loads known at the end of its immediate dominator d: no
 * block on any path from d to b (b itself included when it lies on a cycle through those blocks,
 * as a loop header does) contains an instruction that may write memory.
 */
function inheritsLoads(f: Func, preds: number[][], d: number, b: number): boolean {
  const seen = new Set<number>();
  const work = [...preds[b]];
  while (work.length) {
    const p = work.pop()!;
    if (p === d || seen.has(p)) continue;
    if (seen.size >= MAX_PATH_BLOCKS || f.blocks[p].insts.some(clobbers)) return false;
    seen.add(p);
    work.push(...preds[p]);
  }
  return true;
}

/**
 * Replaces an instruction by an earlier one that computes the same pure expression and dominates
 * it, and a load by an earlier load of the same address (or the value stored there) when no
 * store, call, intrinsic or volatile access can come between: inside a block, and from a
 * dominating block when no path between them has one (inheritsLoads). Returns whether it changed.
 */
export function gvn(f: Func): boolean {
  const cfg = buildCfg(f);
  const idom = dominators(cfg);
  const children: number[][] = f.blocks.map(() => []);
  for (const b of cfg.rpo) if (b !== cfg.rpo[0] && idom[b] >= 0) children[idom[b]].push(b);
  // The loads known at the end of each block, kept until its dominator-tree children have run.
  const endLoads: (Map<string, Value> | undefined)[] = [];
  const repl = new Map<number, Value>();
  const resolve = (v: Value): Value => (v.kind === 'vreg' && repl.has(v.id) ? repl.get(v.id)! : v);
  const table = new Map<string, number>();
  // Iterative preorder walk of the dominator tree; a negative entry pops a block's scope.
  const stack: number[] = [cfg.rpo[0]];
  const added: string[][] = f.blocks.map(() => []);
  while (stack.length) {
    const b = stack.pop()!;
    if (b < 0) {
      for (const k of added[~b]) table.delete(k);
      endLoads[~b] = undefined;
      continue;
    }
    const blk = f.blocks[b];
    const from = b === cfg.rpo[0] ? undefined : endLoads[idom[b]];
    const loads = from?.size && inheritsLoads(f, cfg.preds, idom[b], b) ? new Map(from) : new Map<string, Value>();
    for (const i of blk.insts) {
      if (i.op !== 'phi') mapInstUses(i, resolve);
      if (i.op === 'load' && !i.volatile) {
        const k = loadKey(i.addr, i.width, i.cls, i.signed);
        const prev = loads.get(k);
        if (prev) repl.set(i.dst, prev);
        else loads.set(k, vreg(i.dst, i.cls));
        continue;
      }
      if (clobbers(i)) {
        loads.clear(); // anything may alias: forget every load
        const full = i.op === 'store' && !i.volatile && i.width === (valueCls(i.value) === 'w' ? 4 : 8);
        if (full) loads.set(loadKey(i.addr, i.width, valueCls(i.value), false), i.value);
        continue;
      }
      const key = exprKey(i);
      const d = instDst(i);
      if (!key || !d) continue;
      const prev = table.get(key);
      if (prev !== undefined) repl.set(d.dst, vreg(prev, d.cls));
      else {
        table.set(key, d.dst);
        added[b].push(key);
      }
    }
    if (children[b].length) endLoads[b] = loads;
    stack.push(~b, ...children[b]);
  }
  if (!repl.size) return false;
  for (const blk of f.blocks) {
    blk.insts = blk.insts.filter((i) => {
      const d = instDst(i);
      return !(d && repl.has(d.dst));
    });
    for (const i of blk.insts) mapInstUses(i, resolve);
    mapTermUses(blk.term, resolve);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Loop-invariant code motion

/** Natural loops: header -> blocks of the loop (the loops of back edges to one header merged). */
function naturalLoops(f: Func): Map<number, Set<number>> {
  const loops = new Map<number, Set<number>>();
  for (const { header, body } of backEdgeLoops(f)) {
    const merged = loops.get(header);
    if (merged) for (const b of body) merged.add(b);
    else loops.set(header, body);
  }
  return loops;
}

/** The block that enters loop `h` from outside, created (with phis for several entries) if needed. */
function preheader(f: Func, h: number, body: Set<number>): number {
  const preds = buildCfg(f).preds[h].filter((p) => !body.has(p));
  if (preds.length === 1 && succs(f.blocks[preds[0]].term).length === 1) return preds[0];
  const n = f.blocks.length;
  const loc = f.blocks[h].term.loc;
  f.blocks.push({ id: n, insts: [], term: { op: 'jmp', target: h, loc } });
  for (const p of preds) retarget(f.blocks[p].term, h, n);
  for (const i of f.blocks[h].insts) {
    if (i.op !== 'phi') continue;
    const outside = i.incoming.filter((x) => preds.includes(x.block));
    let value = outside[0]?.value ?? constant(0n, i.cls);
    if (outside.length > 1) {
      const dst = f.nextVreg++;
      f.blocks[n].insts.push({ op: 'phi', cls: i.cls, dst, incoming: outside, loc: i.loc });
      value = vreg(dst, i.cls);
    }
    i.incoming = [...i.incoming.filter((x) => !preds.includes(x.block)), { block: n, value }];
  }
  return n;
}

const HOISTABLE = new Set(['bin', 'un', 'ext', 'copy']);

/**
 * Moves pure computations whose operands are all defined outside a loop into its preheader, and
 * loads when the loop has no store, call or intrinsic: from the loop's header (which runs whenever
 * the loop is entered, so the hoisted load reads what the first iteration would have), or of a
 * module variable anywhere in the loop (always mapped, so reading it early cannot fault).
 * Innermost loops first, so that a value can climb several levels. Returns whether it moved anything.
 */
export function licm(f: Func): boolean {
  const loops = [...naturalLoops(f)].sort((x, y) => x[1].size - y[1].size);
  let moved = false;
  for (const [h, body] of loops) {
    const defBlock = new Map<number, number>();
    for (const b of body) for (const i of f.blocks[b].insts) {
      const d = instDst(i);
      if (d) defBlock.set(d.dst, b);
    }
    const memFree = [...body].every((b) =>
      f.blocks[b].insts.every((i) => i.op !== 'store' && i.op !== 'call' && i.op !== 'intrin' && !(i.op === 'load' && i.volatile)),
    );
    const invariant = (v: Value) => v.kind !== 'vreg' || !defBlock.has(v.id);
    const hoist: Inst[] = [];
    for (const b of [...body].sort((x, y) => x - y)) {
      f.blocks[b].insts = f.blocks[b].insts.filter((i) => {
        const pure = (HOISTABLE.has(i.op) && !(i.op === 'bin' && mayTrap(i.bin, i.cls, i.b))) || (i.op === 'load' && memFree && !i.volatile && (b === h || i.addr.kind === 'sym'));
        if (!pure || !instUses(i).every(invariant)) return true;
        defBlock.delete(instDst(i)!.dst);
        hoist.push(i);
        return false;
      });
    }
    if (!hoist.length) continue;
    const p = preheader(f, h, body);
    f.blocks[p].insts.push(...hoist);
    for (const [, outer] of loops) if (outer !== body && outer.has(h)) outer.add(p);
    moved = true;
  }
  return moved;
}

/** A 64-bit constant no instruction takes as an immediate: each use costs a movabsq (or movl). */
const isWide = (v: Value): boolean => v.kind === 'const' && v.cls === 'l' && BigInt.asIntN(64, v.value) !== BigInt.asIntN(32, v.value);

/** Operands of i that stay constants: a divisor (multiply-high), a zero-extension mask, phi inputs. */
function keepsConstant(i: Inst, v: Value): boolean {
  if (i.op === 'phi' || i.op === 'intrin') return true;
  if (i.op === 'bin' && v === i.b) {
    if (i.bin === 'sdiv' || i.bin === 'udiv' || i.bin === 'srem' || i.bin === 'urem') return true;
    if (i.bin === 'and' && v.kind === 'const' && v.value === 0xffffffffn) return true; // movl zero-extends
  }
  return false;
}

/**
 * Wide 64-bit constants used inside a loop without calls are loaded once, into a register, in
 * the loop's preheader (`movabsq` out of a hashing loop); innermost loops first, so a constant
 * climbs through the call-free loops around it as a chain of coalescable copies. Loops with calls
 * keep their constants where they are: a value live across a call costs a callee-saved register
 * or a spill, no cheaper than the movabsq. Runs last, after copy propagation (which would undo it).
 */
export function hoistLoopConstants(f: Func): void {
  const loops = [...naturalLoops(f)].sort((x, y) => x[1].size - y[1].size);
  for (const [h, body] of loops) {
    const blocks = [...body].sort((x, y) => x - y);
    if (blocks.some((b) => f.blocks[b].insts.some((i) => i.op === 'call'))) continue;
    const reg = new Map<bigint, Value>();
    const hoisted: Inst[] = [];
    for (const b of blocks) {
      for (const i of f.blocks[b].insts) {
        mapInstUses(i, (v) => {
          if (!isWide(v) || keepsConstant(i, v)) return v;
          const x = BigInt.asUintN(64, (v as { value: bigint }).value);
          let r = reg.get(x);
          if (!r) {
            const dst = f.nextVreg++;
            r = vreg(dst, 'l');
            reg.set(x, r);
            hoisted.push({ op: 'copy', cls: 'l', dst, a: v, loc: i.loc });
          }
          return r;
        });
      }
    }
    if (!hoisted.length) continue;
    const p = preheader(f, h, body);
    f.blocks[p].insts.push(...hoisted);
    for (const [, outer] of loops) if (outer !== body && outer.has(h)) outer.add(p);
  }
}

/** Runs the scalar passes to a fixed point (bounded), then code motion out of loops and again. */
export function optimize(f: Func): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let round = 0; round < 8; round++) {
      let changed = sccp(f);
      changed = boundsElim(f) || changed;
      changed = simplify(f) || changed;
      changed = gvn(f) || changed;
      changed = dce(f) || changed;
      changed = cleanupCfg(f) || changed;
      if (!changed) break;
    }
    if (pass === 0 && !licm(f)) break;
  }
}

