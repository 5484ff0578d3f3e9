// Register allocation by graph colouring (Chaitin-Briggs with conservative coalescing) over the
// machine code the instruction selector produced.
//
// The 14 allocatable registers are every GPR but rsp and rbp. Physical registers are precoloured
// nodes of the interference graph, so the fixed-register constraints (argument, result and
// division registers, calls clobbering the caller-saved registers, ...) are plain interference
// edges: a value live across a call interferes with every caller-saved register and can only get
// rbx or r12-r15, which the prologue then saves. Copies are coalesced when the Briggs test
// (virtual/virtual) or the George test (virtual/physical) says colouring stays possible; the rest
// are biased toward their partner's colour when selecting. A node that gets no colour is spilled
// to a frame slot: its uses and definitions go through short-lived temporaries (or the slot itself
// for plain copies) and the allocation starts over.

import type { MFunc, MInst, MOp } from './isel.js';
import { FIRST_VREG, R10, R11, R12, R13, R14, R15, R8, R9, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP } from './isel.js';

/** Colour preference: caller-saved first (free to use), then callee-saved (cost a push/pop). */
export const ALLOCATABLE = [RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11, RBX, R12, R13, R14, R15];
const K = ALLOCATABLE.length;
const TRACKED = (r: number) => r !== RSP && r !== RBP;

/** Registers an instruction reads and writes (rsp and rbp are not allocated and not tracked). */
export function regsOf(i: MInst): { uses: number[]; defs: number[] } {
  const uses: number[] = [];
  const defs: number[] = [];
  i.ops.forEach((op, k) => {
    const a = i.acc[k];
    if (op.k === 'reg') {
      if (a === 'r' || a === 'rw') uses.push(op.r);
      if (a === 'w' || a === 'rw') defs.push(op.r);
    } else if (op.k === 'mem') {
      if (op.base !== undefined) uses.push(op.base);
      if (op.index !== undefined) uses.push(op.index);
    }
  });
  uses.push(...(i.implUses ?? []));
  defs.push(...(i.implDefs ?? []));
  return { uses: [...new Set(uses.filter(TRACKED))], defs: [...new Set(defs.filter(TRACKED))] };
}

/** Live-out sets of each block (backward dataflow to a fixed point). */
export function liveness(mf: MFunc): Set<number>[] {
  const n = mf.blocks.length;
  const gen: Set<number>[] = [];
  const kill: Set<number>[] = [];
  for (const b of mf.blocks) {
    const g = new Set<number>();
    const k = new Set<number>();
    for (const i of b.insts) {
      const { uses, defs } = regsOf(i);
      for (const u of uses) if (!k.has(u)) g.add(u);
      for (const d of defs) k.add(d);
    }
    gen.push(g);
    kill.push(k);
  }
  const liveIn = Array.from({ length: n }, () => new Set<number>());
  const liveOut = Array.from({ length: n }, () => new Set<number>());
  for (let changed = true; changed; ) {
    changed = false;
    for (let b = n - 1; b >= 0; b--) {
      const out = liveOut[b];
      for (const s of mf.blocks[b].succs) for (const r of liveIn[s]) if (!out.has(r)) (out.add(r), (changed = true));
      const inn = liveIn[b];
      for (const r of gen[b]) if (!inn.has(r)) (inn.add(r), (changed = true));
      for (const r of out) if (!kill[b].has(r) && !inn.has(r)) (inn.add(r), (changed = true));
    }
  }
  return liveOut;
}

interface Graph {
  adj: Map<number, Set<number>>;
  cost: Map<number, number>;
  moves: { a: number; b: number; w: number }[];
}

function buildGraph(mf: MFunc): Graph {
  const adj = new Map<number, Set<number>>();
  const node = (r: number): Set<number> => {
    let s = adj.get(r);
    if (!s) adj.set(r, (s = new Set()));
    return s;
  };
  const edge = (a: number, b: number) => {
    if (a === b) return;
    node(a).add(b);
    node(b).add(a);
  };
  for (const r of ALLOCATABLE) node(r);
  const cost = new Map<number, number>();
  const moves: Graph['moves'] = [];
  const liveOut = liveness(mf);
  mf.blocks.forEach((b, k) => {
    const w = 10 ** Math.min(b.depth, 6);
    const live = new Set(liveOut[k]);
    for (let n = b.insts.length - 1; n >= 0; n--) {
      const i = b.insts[n];
      const { uses, defs } = regsOf(i);
      for (const r of [...uses, ...defs]) {
        node(r);
        if (r >= FIRST_VREG) cost.set(r, (cost.get(r) ?? 0) + w);
      }
      if (i.copy && uses.length === 1 && defs.length === 1) {
        // A copy's source and destination may share a register: no edge between them.
        live.delete(uses[0]);
        moves.push({ a: uses[0], b: defs[0], w });
      }
      for (const d of defs) for (const l of live) edge(d, l);
      for (const d of defs) for (const d2 of defs) edge(d, d2);
      for (const d of defs) live.delete(d);
      for (const u of uses) live.add(u);
    }
  });
  return { adj, cost, moves };
}

interface Result {
  colour: Map<number, number>;
  spilled: Set<number>;
}

function colourGraph(mf: MFunc): Result {
  const { adj, cost, moves } = buildGraph(mf);
  const alias = new Map<number, number>();
  const find = (r: number): number => {
    while (alias.has(r)) r = alias.get(r)!;
    return r;
  };
  const deg = (r: number) => (r < FIRST_VREG ? Infinity : adj.get(r)!.size);
  const merge = (v: number, into: number) => {
    alias.set(v, into);
    for (const t of adj.get(v)!) {
      adj.get(t)!.delete(v);
      if (t !== into) {
        adj.get(t)!.add(into);
        adj.get(into)!.add(t);
      }
    }
    adj.get(v)!.clear();
    cost.set(into, (cost.get(into) ?? 0) + (cost.get(v) ?? 0));
  };

  // Conservative coalescing, heaviest (innermost-loop) copies first.
  moves.sort((x, y) => y.w - x.w);
  for (let pass = 0, merged = true; merged && pass < 4; pass++) {
    merged = false;
    for (const m of moves) {
      let a = find(m.a);
      let b = find(m.b);
      if (a === b || (a < FIRST_VREG && b < FIRST_VREG) || adj.get(a)!.has(b)) continue;
      if (b < FIRST_VREG) [a, b] = [b, a];
      if (a < FIRST_VREG) {
        // George: every neighbour of b already interferes with a, or is insignificant.
        if (!ALLOCATABLE.includes(a)) continue;
        const ok = [...adj.get(b)!].every((t) => t < FIRST_VREG || deg(t) < K || adj.get(t)!.has(a));
        if (!ok) continue;
        merge(b, a);
      } else {
        if (mf.temps.has(a) || mf.temps.has(b)) continue;
        // Briggs: the merged node has fewer than K neighbours of significant degree.
        const nb = new Set([...adj.get(a)!, ...adj.get(b)!]);
        let significant = 0;
        for (const t of nb) if (deg(t) >= K) significant++;
        if (significant >= K) continue;
        merge(b, a);
      }
      merged = true;
    }
  }

  // Simplify: remove nodes of degree < K; when none is left, the cheapest to spill (optimistically).
  const nodes = [...adj.keys()].filter((r) => r >= FIRST_VREG && !alias.has(r));
  const degree = new Map(nodes.map((r) => [r, [...adj.get(r)!].length]));
  const removed = new Set<number>();
  const stack: number[] = [];
  const remaining = new Set(nodes);
  const spillCost = (r: number) => (mf.temps.has(r) ? Infinity : (cost.get(r) ?? 0) / Math.max(1, degree.get(r)!));
  while (remaining.size) {
    let pick: number | undefined;
    for (const r of remaining) if (degree.get(r)! < K) {
      pick = r;
      break;
    }
    if (pick === undefined) {
      for (const r of remaining) if (pick === undefined || spillCost(r) < spillCost(pick)) pick = r;
    }
    const r = pick!;
    remaining.delete(r);
    removed.add(r);
    stack.push(r);
    for (const t of adj.get(r)!) if (t >= FIRST_VREG && !removed.has(t)) degree.set(t, degree.get(t)! - 1);
  }

  // Select: colours in reverse removal order, biased toward copy partners' colours.
  const colour = new Map<number, number>();
  for (let r = 0; r < FIRST_VREG; r++) colour.set(r, r);
  const partners = new Map<number, number[]>();
  for (const m of moves) {
    const a = find(m.a);
    const b = find(m.b);
    if (a === b) continue;
    (partners.get(a) ?? partners.set(a, []).get(a)!).push(b);
    (partners.get(b) ?? partners.set(b, []).get(b)!).push(a);
  }
  const spilled = new Set<number>();
  while (stack.length) {
    const r = stack.pop()!;
    const forbidden = new Set<number>();
    for (const t of adj.get(r)!) if (colour.has(t)) forbidden.add(colour.get(t)!);
    let c: number | undefined;
    for (const p of partners.get(r) ?? []) {
      const pc = colour.get(p);
      if (pc !== undefined && !forbidden.has(pc) && ALLOCATABLE.includes(pc)) {
        c = pc;
        break;
      }
    }
    if (c === undefined) c = ALLOCATABLE.find((x) => !forbidden.has(x));
    if (c === undefined) spilled.add(r);
    else colour.set(r, c);
  }

  const result = new Map<number, number>();
  const spilledRegs = new Set<number>();
  for (const r of adj.keys()) {
    if (r < FIRST_VREG) continue;
    const rep = find(r);
    if (spilled.has(rep)) spilledRegs.add(r);
    else result.set(r, colour.get(rep)!);
  }
  return { colour: result, spilled: spilledRegs };
}

/** Rewrites spilled registers to live in frame slots, through fresh unspillable temporaries. */
function spill(mf: MFunc, regs: Set<number>): void {
  const slot = new Map<number, number>();
  for (const r of regs) {
    slot.set(r, mf.slots.length);
    mf.slots.push({ size: 8, align: 8 });
  }
  const mem = (r: number): MOp => ({ k: 'mem', slot: slot.get(r)!, disp: 0n });
  const sfx = (r: number) => (mf.regSize.get(r) === 4 ? 'l' : 'q');
  for (const b of mf.blocks) {
    const out: MInst[] = [];
    for (const i of b.insts) {
      const [s, d] = i.ops;
      // A copy to or from a spilled register becomes a store or a load, unless a 4-byte copy
      // would store only half of an 8-byte slot (a zero-extending copy: it goes through a temporary).
      const narrowStore = d?.k === 'reg' && regs.has(d.r) && d.sz < (mf.regSize.get(d.r) ?? 8);
      if (i.copy && s.k === 'reg' && d.k === 'reg' && regs.has(s.r) !== regs.has(d.r) && !narrowStore) {
        out.push({ ...i, copy: false, ops: regs.has(s.r) ? [mem(s.r), d] : [s, mem(d.r)] });
        continue;
      }
      const { uses, defs } = regsOf(i);
      const hit = [...new Set([...uses, ...defs])].filter((r) => regs.has(r));
      if (!hit.length) {
        out.push(i);
        continue;
      }
      const rename = new Map<number, number>();
      for (const r of hit) {
        const t = mf.nextReg++;
        mf.temps.add(t);
        mf.regSize.set(t, mf.regSize.get(r) ?? 8);
        rename.set(r, t);
        const sz = mf.regSize.get(r) === 4 ? 4 : 8;
        if (uses.includes(r)) out.push({ mnem: `mov${sfx(r)}`, ops: [mem(r), { k: 'reg', r: t, sz }], acc: ['r', 'w'], loc: i.loc });
      }
      const ren = (r: number | undefined) => (r !== undefined && rename.has(r) ? rename.get(r)! : r);
      const ops = i.ops.map((op): MOp => {
        if (op.k === 'reg') return { ...op, r: ren(op.r)! };
        if (op.k === 'mem') return { ...op, base: ren(op.base), index: ren(op.index) };
        return op;
      });
      out.push({ ...i, ops });
      for (const r of hit) {
        const sz = mf.regSize.get(r) === 4 ? 4 : 8;
        if (defs.includes(r)) out.push({ mnem: `mov${sfx(r)}`, ops: [{ k: 'reg', r: rename.get(r)!, sz }, mem(r)], acc: ['r', 'r'], loc: i.loc });
      }
    }
    b.insts = out;
  }
}

export interface AllocStats {
  rounds: number;
  spilled: number;
}

/** Assigns a physical register to every virtual register of mf, spilling as needed. */
export function allocate(mf: MFunc, stats?: AllocStats): Map<number, number> {
  for (let round = 1; round <= 16; round++) {
    const { colour, spilled } = colourGraph(mf);
    if (stats) stats.rounds = round;
    if (!spilled.size) return colour;
    if (stats) stats.spilled = (stats.spilled ?? 0) + spilled.size;
    spill(mf, spilled);
  }
  throw new Error(`register allocation for ${mf.name} did not converge`);
}
