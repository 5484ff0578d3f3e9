// SSA construction (mem2reg) and control-flow-graph cleanup (empty-block threading, merging of
// straight-line blocks, renumbering in reverse postorder).
//
// mem2reg promotes every stack slot (`alloca`) whose address is only ever used directly as the
// address of same-width, non-volatile loads and stores, and every vreg the front end assigned more
// than once, into SSA values: phis go on the iterated dominance frontier of the definitions, then
// a walk of the dominator tree renames (Cytron et al.; dominators by Cooper, Harvey & Kennedy,
// "A Simple, Fast Dominance Algorithm").

import type { Block, Cls, DebugVar, Func, Inst, Terminator, Value, Width } from '../ir/ir.js';
import { buildCfg, dominanceFrontiers, dominators, type Cfg } from '../ir/cfg.js';
import { constant } from '../ir/fold.js';
import { instDst, instUses, mapInstUses, mapTermUses, retarget, succs, termUses, valueCls, vreg } from '../ir/walk.js';
// ---------------------------------------------------------------------------------------------
// Block renumbering and CFG cleanup

/** Makes `order` the function's block list, renumbering ids and every reference to them. */
export function renumber(f: Func, order: number[]): void {
  const map = new Map<number, number>();
  order.forEach((old, i) => map.set(old, i));
  const blocks: Block[] = order.map((old) => f.blocks[old]);
  for (const b of blocks) {
    b.id = map.get(b.id)!;
    const t = b.term;
    if (t.op === 'jmp') t.target = map.get(t.target)!;
    if (t.op === 'br') {
      t.then = map.get(t.then)!;
      t.else = map.get(t.else)!;
    }
    for (const i of b.insts) {
      if (i.op !== 'phi') continue;
      i.incoming = i.incoming.filter((inc) => map.has(inc.block));
      for (const inc of i.incoming) inc.block = map.get(inc.block)!;
    }
  }
  f.blocks = blocks;
}

/** The entry block must have no predecessors (its phis would have nowhere to come from). */
function ensureEntryHasNoPreds(f: Func): void {
  const cfg = buildCfg(f);
  if (cfg.preds[0].length === 0) return;
  const n = f.blocks.length;
  f.blocks.push({ id: n, insts: [], term: { op: 'jmp', target: 0, loc: f.loc } });
  renumber(f, [n, ...f.blocks.slice(0, n).map((b) => b.id)]);
}

/** Keeps only the phi entries that name real predecessors, one per predecessor. */
function fixPhis(f: Func, cfg: Cfg): void {
  for (const b of cfg.rpo) {
    const preds = cfg.preds[b];
    for (const i of f.blocks[b].insts) {
      if (i.op !== 'phi') continue;
      // Rebuild the list only when some entry is stale or repeated (rare).
      let ok = i.incoming.length === preds.length;
      for (let k = 0; ok && k < i.incoming.length; k++) {
        const blk = i.incoming[k].block;
        if (!preds.includes(blk)) ok = false;
        for (let j = 0; ok && j < k; j++) if (i.incoming[j].block === blk) ok = false;
      }
      if (ok) continue;
      const seen = new Set<number>();
      i.incoming = i.incoming.filter((inc) => preds.includes(inc.block) && !seen.has(inc.block) && (seen.add(inc.block), true));
    }
  }
}

/**
 * Removes unreachable blocks, threads jumps through empty jump-only blocks, merges a block into
 * its only predecessor when that predecessor jumps straight to it, and renumbers the survivors in
 * reverse postorder. Returns whether anything changed besides the numbering.
 */
export function cleanupCfg(f: Func): boolean {
  let changed = false;
  for (const b of f.blocks) {
    const t = b.term;
    foldSameTargets(b);
    if (t.op === 'br' && t.cond.kind === 'const') b.term = { op: 'jmp', target: t.cond.value !== 0n ? t.then : t.else, loc: t.loc };
  }
  const cfg = buildCfg(f);
  fixPhis(f, cfg);
  // The transforms, in reverse postorder, each time at the first block where one applies (as
  // restarting the scan from the entry after each one would), but resuming at the first block the
  // transform could have made transformable: the blocks before it were checked and are unchanged.
  // (Restarting from the entry cost n^2 checks on a function of n blocks.) They keep cfg up to
  // date (see cfgRemove).
  const rpo = cfg.rpo;
  for (let i = 0; i < rpo.length; ) {
    const touched = threadEmptyBlock(f, cfg, rpo[i]) ?? mergeIntoPred(f, cfg, rpo[i]);
    if (!touched) {
      i++;
      continue;
    }
    changed = true;
    for (const b of touched) foldSameTargets(f.blocks[b]);
    for (const b of touched) {
      const k = rpo.indexOf(b);
      if (k >= 0 && k < i) i = k;
    }
  }
  const final = buildCfg(f);
  if (final.rpo.length !== f.blocks.length) changed = true;
  renumber(f, final.rpo);
  return changed;
}

/** A branch whose arms are the same block is a jump. */
function foldSameTargets(b: Block): void {
  const t = b.term;
  if (t.op === 'br' && t.then === t.else) b.term = { op: 'jmp', target: t.then, loc: t.loc };
}

/**
 * Updates cfg after block b left the graph and `moved` blocks got new predecessor lists. Both
 * transforms only splice b out of the paths through it, with every other edge in its place, so a
 * depth-first walk meets the other blocks in the same order: the new reverse postorder is the old
 * one without b (positions in cfg.order stay a valid sort key), and predecessor lists stay sorted
 * by it, as buildCfg makes them.
 */
function cfgRemove(cfg: Cfg, b: number, moved: number[]): void {
  cfg.rpo.splice(cfg.rpo.indexOf(b), 1);
  cfg.preds[b] = [];
  for (const s of moved) cfg.preds[s].sort((x, y) => cfg.order[x] - cfg.order[y]);
}

/** An empty block that only jumps on: send its predecessors straight to its target. */
function threadEmptyBlock(f: Func, cfg: Cfg, b: number): number[] | undefined {
  const blk = f.blocks[b];
  if (b === cfg.rpo[0] || blk.insts.length || blk.term.op !== 'jmp') return undefined;
  const target = blk.term.target;
  if (target === b) return undefined;
  const preds = cfg.preds[b];
  const phis = f.blocks[target].insts.filter((i) => i.op === 'phi');
  if (phis.length) {
    // Each predecessor becomes a predecessor of the target: it must not be one already.
    if (preds.some((p) => cfg.preds[target].includes(p))) return undefined;
    for (const phi of phis) {
      if (phi.op !== 'phi') continue;
      const inc = phi.incoming.find((x) => x.block === b);
      if (!inc) return undefined;
    }
    for (const phi of phis) {
      if (phi.op !== 'phi') continue;
      const inc = phi.incoming.find((x) => x.block === b)!;
      phi.incoming = phi.incoming.filter((x) => x.block !== b);
      for (const p of preds) phi.incoming.push({ block: p, value: inc.value });
    }
  }
  if (!preds.length) return undefined;
  for (const p of preds) retarget(f.blocks[p].term, b, target);
  const tp = cfg.preds[target].filter((x) => x !== b);
  for (const p of preds) if (!tp.includes(p)) tp.push(p);
  cfg.preds[target] = tp;
  cfgRemove(cfg, b, [target]);
  return [target, ...tp]; // the target's predecessors and phis changed, and its predecessors' jumps
}

/** A block whose only predecessor jumps to it unconditionally is appended to that predecessor. */
function mergeIntoPred(f: Func, cfg: Cfg, b: number): number[] | undefined {
  const preds = cfg.preds[b];
  if (b === cfg.rpo[0] || preds.length !== 1) return undefined;
  const p = preds[0];
  const pb = f.blocks[p];
  if (p === b || pb.term.op !== 'jmp') return undefined;
  const blk = f.blocks[b];
  const insts = blk.insts.map((i): Inst => {
    if (i.op !== 'phi') return i;
    const value = i.incoming.find((x) => x.block === p)?.value ?? constant(0n, i.cls);
    return { op: 'copy', cls: i.cls, dst: i.dst, a: value, loc: i.loc };
  });
  pb.insts.push(...insts);
  pb.term = blk.term;
  blk.insts = [];
  blk.term = { op: 'unreachable' };
  for (const s of succs(pb.term)) {
    for (const i of f.blocks[s].insts) {
      if (i.op === 'phi') for (const inc of i.incoming) if (inc.block === b) inc.block = p;
    }
    cfg.preds[s] = cfg.preds[s].map((x) => (x === b ? p : x));
  }
  cfgRemove(cfg, b, succs(pb.term));
  // p's code and jump changed, and so did its successors' predecessors (and their phis).
  const out = succs(pb.term);
  return [p, ...cfg.preds[p], ...out, ...out.flatMap((s) => cfg.preds[s])];
}


// ---------------------------------------------------------------------------------------------
// mem2reg

interface Var {
  cls: Cls;
  width: Width; // access width for slots; 8 or 4 for vregs
  slot: boolean; // a promoted alloca (otherwise a multiply-assigned vreg)
  defBlocks: Set<number>;
  stack: Value[];
}

/** Allocas whose address is used only as the address of same-width, non-volatile loads/stores. */
function promotableSlots(f: Func): Map<number, Var> {
  const allocas = new Map<number, Var>();
  for (const b of f.blocks) {
    for (const i of b.insts) {
      if (i.op === 'alloca' && i.size <= 8) allocas.set(i.dst, { cls: 'l', width: 8, slot: true, defBlocks: new Set(), stack: [] });
    }
  }
  const widths = new Map<number, number>();
  const escape = (v: Value) => {
    if (v.kind === 'vreg') allocas.delete(v.id);
  };
  const access = (addr: Value, width: number, volatile: boolean | undefined) => {
    if (addr.kind !== 'vreg' || !allocas.has(addr.id)) return;
    const w = widths.get(addr.id);
    if (volatile || (w !== undefined && w !== width)) allocas.delete(addr.id);
    else widths.set(addr.id, width);
  };
  for (const b of f.blocks) {
    for (const i of b.insts) {
      if (i.op === 'load') access(i.addr, i.width, i.volatile);
      else if (i.op === 'store') {
        access(i.addr, i.width, i.volatile);
        escape(i.value);
        // A w value stored as 8 bytes has undefined upper bytes: leave such slots in memory.
        if (i.width === 8 && valueCls(i.value) === 'w') escape(i.addr);
      } else instUses(i).forEach(escape);
    }
    termUses(b.term).forEach(escape);
  }
  for (const [id, v] of allocas) {
    const w = (widths.get(id) ?? 8) as Width;
    v.width = w;
    v.cls = w === 8 ? 'l' : 'w';
  }
  return allocas;
}

/** Vregs the front end defines more than once (parameters count as a definition). */
function reassignedVregs(f: Func): Map<number, Var> {
  const count = new Map<number, number>();
  const cls = new Map<number, Cls>();
  for (const p of f.params) {
    count.set(p.vreg, 1);
    cls.set(p.vreg, p.cls);
  }
  for (const b of f.blocks) {
    for (const i of b.insts) {
      const d = instDst(i);
      if (!d || i.op === 'alloca') continue;
      count.set(d.dst, (count.get(d.dst) ?? 0) + 1);
      if (!cls.has(d.dst)) cls.set(d.dst, d.cls);
    }
  }
  const vars = new Map<number, Var>();
  for (const [id, n] of count) {
    const c = cls.get(id)!;
    if (n > 1) vars.set(id, { cls: c, width: c === 'l' ? 8 : 4, slot: false, defBlocks: new Set(), stack: [] });
  }
  return vars;
}

/** Promotes local variables to SSA values (see the file comment). */
export function mem2reg(f: Func): void {
  ensureEntryHasNoPreds(f);
  const cfg = buildCfg(f);
  fixPhis(f, cfg);
  const idom = dominators(cfg);
  const df = dominanceFrontiers(cfg, idom);
  const slots = promotableSlots(f);
  const regs = reassignedVregs(f);
  const named = namedSlots(f);
  const stored = new Map<number, Value[]>(); // promoted named slot -> the values stored to it
  for (const id of named.keys()) if (slots.has(id)) stored.set(id, []);
  f.vars = [];
  const describe = () => {
    for (const [id, v] of named) {
      const values = stored.get(id);
      const d: DebugVar = { ...v };
      if (!values) d.slot = id;
      else if (values.length === 1 && values[0].kind === 'vreg') d.value = values[0].id;
      else if (values.length === 1 && values[0].kind === 'const') d.constant = values[0].value;
      f.vars!.push(d);
    }
  };
  if (slots.size === 0 && regs.size === 0) return describe();
  const fresh = (): number => f.nextVreg++;

  // Where each variable is defined.
  for (const p of f.params) regs.get(p.vreg)?.defBlocks.add(0);
  for (const b of cfg.rpo) {
    for (const i of f.blocks[b].insts) {
      if (i.op === 'store' && i.addr.kind === 'vreg') slots.get(i.addr.id)?.defBlocks.add(b);
      const d = instDst(i);
      if (d && i.op !== 'alloca') regs.get(d.dst)?.defBlocks.add(b);
    }
  }

  // Phis on the iterated dominance frontier, where the variable is live (pruned SSA): a phi for
  // every variable at every loop header around its definition would make nested loops quadratic.
  const phiVar = new Map<Inst, Var>();
  const live = liveInBlocks(f, cfg, slots, regs);
  const newPhis = f.blocks.map((): Inst[] => []);
  for (const v of [...slots.values(), ...regs.values()]) {
    const work = [...v.defBlocks];
    const has = new Set<number>();
    while (work.length) {
      const b = work.pop()!;
      for (const d of df[b]) {
        if (has.has(d)) continue;
        has.add(d);
        if (live.get(v)?.has(d)) {
          const phi: Inst = { op: 'phi', cls: v.cls, dst: fresh(), incoming: [] };
          phiVar.set(phi, v);
          newPhis[d].push(phi);
        }
        if (!v.defBlocks.has(d)) work.push(d);
      }
    }
  }
  // Placed first in their blocks, the last placed first (as one unshift each would).
  newPhis.forEach((phis, d) => {
    if (phis.length) f.blocks[d].insts = [...phis.reverse(), ...f.blocks[d].insts];
  });

  const children = idom.map((): number[] => []);
  for (const b of cfg.rpo) if (b !== cfg.rpo[0]) children[idom[b]].push(b);
  const top = (v: Var): Value => v.stack[v.stack.length - 1] ?? constant(0n, v.cls);
  const useOf = (x: Value): Value => (x.kind === 'vreg' && regs.has(x.id) ? top(regs.get(x.id)!) : x);
  for (const p of f.params) regs.get(p.vreg)?.stack.push(vreg(p.vreg, p.cls));

  /** Renames in block b; returns the variables it pushed a definition for (popped after its subtree). */
  const rename = (b: number): Var[] => {
    const blk = f.blocks[b];
    const pushed: Var[] = [];
    const out: Inst[] = [];
    const push = (v: Var, x: Value) => {
      v.stack.push(x);
      pushed.push(v);
    };
    for (const i of blk.insts) {
      const pv = phiVar.get(i);
      if (pv && i.op === 'phi') {
        push(pv, vreg(i.dst, i.cls));
        out.push(i);
        continue;
      }
      if (i.op !== 'phi') mapInstUses(i, useOf);
      if (i.op === 'alloca' && slots.has(i.dst)) continue;
      if (i.op === 'load' && i.addr.kind === 'vreg' && slots.has(i.addr.id)) {
        out.push(loadFromVar(top(slots.get(i.addr.id)!), i.cls, i.dst, i.width, i.signed, i.loc));
        continue;
      }
      if (i.op === 'store' && i.addr.kind === 'vreg' && slots.has(i.addr.id)) {
        const v = slots.get(i.addr.id)!;
        let x = i.value;
        if (v.cls === 'w' && valueCls(x) === 'l') {
          const t = fresh();
          out.push({ op: 'ext', cls: 'w', dst: t, a: x, from: 4, signed: false, loc: i.loc });
          x = vreg(t, 'w');
        }
        push(v, x);
        stored.get(i.addr.id)?.push(x);
        continue;
      }
      const d = instDst(i);
      if (d && regs.has(d.dst)) {
        const v = regs.get(d.dst)!;
        const id = fresh();
        setDst(i, id);
        push(v, vreg(id, v.cls));
      }
      out.push(i);
    }
    blk.insts = out;
    mapTermUses(blk.term, useOf);
    for (const s of succs(blk.term)) {
      for (const i of f.blocks[s].insts) {
        if (i.op !== 'phi') continue;
        const pv = phiVar.get(i);
        if (pv) i.incoming.push({ block: b, value: top(pv) });
        else for (const inc of i.incoming) if (inc.block === b) inc.value = useOf(inc.value);
      }
    }
    return pushed;
  };
  // The dominator tree, walked with an explicit stack: it is as deep as the function has
  // straight-line branches or sequential loops, far deeper than the JS stack allows.
  const walk = [{ b: cfg.rpo[0], pushed: rename(cfg.rpo[0]), next: 0 }];
  while (walk.length) {
    const frame = walk[walk.length - 1];
    if (frame.next < children[frame.b].length) {
      const c = children[frame.b][frame.next++];
      walk.push({ b: c, pushed: rename(c), next: 0 });
    } else {
      for (const v of frame.pushed) v.stack.pop();
      walk.pop();
    }
  }
  describe();
}

/**
 * For each variable, the blocks where it is live on entry: from each upward-exposed use (a read
 * before any write in its block, or a phi operand at the end of a predecessor) back through
 * predecessors until a block that writes it. Linear in the sum of the live ranges.
 */
function liveInBlocks(f: Func, cfg: Cfg, slots: Map<number, Var>, regs: Map<number, Var>): Map<Var, Set<number>> {
  const live = new Map<Var, Set<number>>();
  const work: [Var, number][] = [];
  const liveAt = (v: Var, b: number) => {
    let set = live.get(v);
    if (!set) live.set(v, (set = new Set()));
    if (set.has(b)) return;
    set.add(b);
    work.push([v, b]);
  };
  const varOf = (x: Value): Var | undefined => (x.kind === 'vreg' ? regs.get(x.id) : undefined);
  for (const b of cfg.rpo) {
    const written = new Set<Var>();
    const read = (v: Var | undefined) => {
      if (v && !written.has(v)) liveAt(v, b);
    };
    const blk = f.blocks[b];
    for (const i of blk.insts) {
      if (i.op === 'phi') {
        for (const inc of i.incoming) {
          const v = varOf(inc.value);
          if (v && !v.defBlocks.has(inc.block)) liveAt(v, inc.block); // live out of inc.block
        }
      } else {
        for (const x of instUses(i)) read(varOf(x));
        if (i.op === 'load' && i.addr.kind === 'vreg') read(slots.get(i.addr.id));
      }
      if (i.op === 'store' && i.addr.kind === 'vreg' && slots.has(i.addr.id)) written.add(slots.get(i.addr.id)!);
      const d = instDst(i);
      if (d && i.op !== 'alloca' && regs.has(d.dst)) written.add(regs.get(d.dst)!);
    }
    for (const x of termUses(blk.term)) read(varOf(x));
  }
  while (work.length) {
    const [v, b] = work.pop()!;
    for (const p of cfg.preds[b]) if (!v.defBlocks.has(p)) liveAt(v, p);
  }
  return live;
}

/**
 * The stack slots of user variables (the front end's `names`, by slot) and of parameters (the
 * unnamed slot the entry block stores a parameter's register to), in declaration order.
 */
function namedSlots(f: Func): Map<number, Omit<DebugVar, 'value' | 'constant' | 'slot'>> {
  const out = new Map<number, Omit<DebugVar, 'value' | 'constant' | 'slot'>>();
  const allocas = new Set<number>();
  for (const b of f.blocks) for (const i of b.insts) if (i.op === 'alloca') allocas.add(i.dst);
  const params = new Map(f.params.map((p) => [p.vreg, p]));
  for (const i of f.blocks[0].insts) {
    if (i.op !== 'store' || i.addr.kind !== 'vreg' || i.value.kind !== 'vreg') continue;
    const p = params.get(i.value.id);
    if (p && allocas.has(i.addr.id) && !f.names?.has(i.addr.id) && !out.has(i.addr.id)) {
      out.set(i.addr.id, { name: p.name, param: true, type: f.types?.get(p.vreg) });
      params.delete(p.vreg);
    }
  }
  for (const [id, name] of f.names ?? []) {
    if (allocas.has(id)) out.set(id, { name, param: false, type: f.types?.get(id) });
  }
  return out;
}

function setDst(i: Inst, id: number): void {
  if (i.op !== 'store') (i as { dst?: number }).dst = id;
}

/** The instruction that replaces a load from a promoted slot holding `cur`. */
function loadFromVar(cur: Value, cls: Cls, dst: number, width: Width, signed: boolean, loc: Inst['loc']): Inst {
  const curCls = valueCls(cur);
  if (width < 4 || (width === 4 && cls === 'l')) return { op: 'ext', cls, dst, a: cur, from: width, signed, loc };
  if (cls === curCls) return { op: 'copy', cls, dst, a: cur, loc };
  return { op: 'ext', cls, dst, a: cur, from: 4, signed, loc };
}

/** mem2reg followed by CFG cleanup: the IR is in SSA form afterwards. */
export function toSsa(f: Func): void {
  mem2reg(f);
  cleanupCfg(f);
}
