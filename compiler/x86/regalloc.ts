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

import type { MFunc, MInst, MOp } from './mach.js';
import { FIRST_VREG, R10, R11, R12, R13, R14, R15, R8, R9, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP } from './mach.js';

/** Colour preference: caller-saved first (free to use), then callee-saved (cost a push/pop). */
export const ALLOCATABLE = [RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11, RBX, R12, R13, R14, R15];
const K = ALLOCATABLE.length;
const TRACKED = (r: number) => r !== RSP && r !== RBP;

/** Registers an instruction reads and writes (rsp and rbp are not allocated and not tracked). */
export function regsOf(i: MInst): { uses: number[]; defs: number[] } {
  const uses: number[] = [];
  const defs: number[] = [];
  // Each list keeps the first occurrence of a register, in operand order, implicit ones last.
  const add = (list: number[], r: number) => {
    if (TRACKED(r) && !list.includes(r)) list.push(r);
  };
  for (let k = 0; k < i.ops.length; k++) {
    const op = i.ops[k];
    const a = i.acc[k];
    if (op.k === 'reg') {
      if (a === 'r' || a === 'rw') add(uses, op.r);
      if (a === 'w' || a === 'rw') add(defs, op.r);
    } else if (op.k === 'mem') {
      if (op.base !== undefined) add(uses, op.base);
      if (op.index !== undefined) add(uses, op.index);
    }
  }
  if (i.implUses) for (const r of i.implUses) add(uses, r);
  if (i.implDefs) for (const r of i.implDefs) add(defs, r);
  return { uses, defs };
}

type Regs = { uses: number[]; defs: number[] }[][]; // per block, per instruction

/** Live-out sets of each block (backward dataflow to a fixed point). */
export function liveness(mf: MFunc, regs: Regs = mf.blocks.map((b) => b.insts.map(regsOf))): Set<number>[] {
  const n = mf.blocks.length;
  const gen: Set<number>[] = [];
  const kill: Set<number>[] = [];
  for (let b = 0; b < n; b++) {
    const g = new Set<number>();
    const k = new Set<number>();
    for (const { uses, defs } of regs[b]) {
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

/**
 * The interference graph over dense node numbers: a bit matrix answers "do a and b interfere" in
 * O(1) and adjacency lists give the neighbours (an entry is stale once its bit is cleared by a
 * merge). Nodes are numbered in the order they are first seen, which is also the order simplify
 * scans them in.
 */
interface Graph {
  n: number;
  reg: number[]; // node -> register
  bits: Uint32Array; // n * n bits, row-major
  adj: number[][];
  deg: Int32Array; // current number of neighbours
  cost: Float64Array;
  moves: { a: number; b: number; w: number }[];
}

const has = (g: Graph, a: number, b: number): boolean => (g.bits[(a * g.n + b) >>> 5] & (1 << ((a * g.n + b) & 31))) !== 0;
function setBit(g: Graph, a: number, b: number, on: boolean): void {
  setOne(g, a * g.n + b, on);
  setOne(g, b * g.n + a, on);
}

function setOne(g: Graph, k: number, on: boolean): void {
  if (on) g.bits[k >>> 5] |= 1 << (k & 31);
  else g.bits[k >>> 5] &= ~(1 << (k & 31));
}

function buildGraph(mf: MFunc): Graph {
  const regs: Regs = mf.blocks.map((b) => b.insts.map(regsOf));
  const liveOut = liveness(mf, regs);
  // Every register that can become a node: the allocatable ones and those instructions name.
  const index = new Map<number, number>();
  const reg: number[] = [];
  const slot = (r: number) => {
    if (!index.has(r)) (index.set(r, reg.length), reg.push(r));
  };
  for (const r of ALLOCATABLE) slot(r);
  for (const bl of regs) for (const { uses, defs } of bl) (uses.forEach(slot), defs.forEach(slot));
  const n = reg.length;
  // Renumber so that node numbers follow first sight during the walk below.
  const seen: number[] = [];
  const order = new Int32Array(n).fill(-1);
  const node = (r: number): number => {
    const x = index.get(r)!;
    if (order[x] < 0) (order[x] = seen.length), seen.push(r);
    return order[x];
  };
  for (const r of ALLOCATABLE) node(r);
  const g: Graph = { n, reg: seen, bits: new Uint32Array(Math.ceil((n * n) / 32)), adj: Array.from({ length: n }, () => []), deg: new Int32Array(n), cost: new Float64Array(n), moves: [] };
  const edge = (a: number, b: number) => {
    if (a === b) return;
    const x = node(a);
    const y = node(b);
    if (has(g, x, y)) return;
    setBit(g, x, y, true);
    g.adj[x].push(y);
    g.adj[y].push(x);
    g.deg[x]++;
    g.deg[y]++;
  };
  mf.blocks.forEach((b, k) => {
    const w = 10 ** Math.min(b.depth, 6);
    const live = new Set(liveOut[k]);
    for (let m = b.insts.length - 1; m >= 0; m--) {
      const { uses, defs } = regs[k][m];
      for (const r of uses) {
        const x = node(r);
        if (r >= FIRST_VREG) g.cost[x] += w;
      }
      for (const r of defs) {
        const x = node(r);
        if (r >= FIRST_VREG) g.cost[x] += w;
      }
      if (b.insts[m].copy && uses.length === 1 && defs.length === 1) {
        // A copy's source and destination may share a register: no edge between them.
        live.delete(uses[0]);
        g.moves.push({ a: node(uses[0]), b: node(defs[0]), w });
      }
      for (const d of defs) for (const l of live) edge(d, l);
      for (const d of defs) for (const d2 of defs) edge(d, d2);
      for (const d of defs) live.delete(d);
      for (const u of uses) live.add(u);
    }
  });
  return g;
}

/** A binary min-heap of node numbers (simplify's worklist: the first node in scan order wins). */
class MinHeap {
  h: number[] = [];
  push(x: number): void {
    const h = this.h;
    let i = h.push(x) - 1;
    while (i > 0 && h[(i - 1) >> 1] > h[i]) {
      const p = (i - 1) >> 1;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  pop(): number | undefined {
    const h = this.h;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l] < h[m]) m = l;
        if (r < h.length && h[r] < h[m]) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

interface Result {
  colour: Map<number, number>;
  spilled: Set<number>;
}

function colourGraph(mf: MFunc): Result {
  const g = buildGraph(mf);
  const { n, reg, adj, cost, moves } = g;
  const phys = (x: number) => reg[x] < FIRST_VREG;
  const alias = new Int32Array(n).fill(-1);
  const find = (x: number): number => {
    while (alias[x] >= 0) x = alias[x];
    return x;
  };
  const deg = (x: number) => (phys(x) ? Infinity : g.deg[x]);
  /** Calls f on each current neighbour of x. */
  const neighbours = (x: number, f: (t: number) => void) => {
    for (const t of adj[x]) if (has(g, x, t)) f(t);
  };
  const merge = (v: number, into: number) => {
    alias[v] = into;
    neighbours(v, (t) => {
      setBit(g, v, t, false);
      g.deg[t]--;
      g.deg[v]--;
      if (t !== into && !has(g, t, into)) {
        setBit(g, t, into, true);
        adj[t].push(into);
        adj[into].push(t);
        g.deg[t]++;
        g.deg[into]++;
      }
    });
    adj[v] = [];
    cost[into] += cost[v];
  };

  // Conservative coalescing, heaviest (innermost-loop) copies first.
  moves.sort((x, y) => y.w - x.w);
  const mark = new Int32Array(n);
  let stamp = 0;
  for (let pass = 0, merged = true; merged && pass < 4; pass++) {
    merged = false;
    for (const m of moves) {
      let a = find(m.a);
      let b = find(m.b);
      if (a === b || (phys(a) && phys(b)) || has(g, a, b)) continue;
      if (phys(b)) [a, b] = [b, a];
      if (phys(a)) {
        // George: every neighbour of b already interferes with a, or is insignificant.
        if (!ALLOCATABLE.includes(reg[a])) continue;
        let ok = true;
        neighbours(b, (t) => {
          if (ok && !(phys(t) || deg(t) < K || has(g, t, a))) ok = false;
        });
        if (!ok) continue;
        merge(b, a);
      } else {
        if (mf.temps.has(reg[a]) || mf.temps.has(reg[b])) continue;
        // Briggs: the merged node has fewer than K neighbours of significant degree.
        stamp++;
        let significant = 0;
        const count = (t: number) => {
          if (mark[t] === stamp) return;
          mark[t] = stamp;
          if (deg(t) >= K) significant++;
        };
        neighbours(a, count);
        neighbours(b, count);
        if (significant >= K) continue;
        merge(b, a);
      }
      merged = true;
    }
  }

  // Simplify: remove nodes of degree < K, first in node order; when none is left, the cheapest
  // to spill (optimistically).
  const degree = Int32Array.from(g.deg);
  const removed = new Uint8Array(n);
  const stack: number[] = [];
  const nodes: number[] = [];
  for (let x = 0; x < n; x++) if (!phys(x) && alias[x] < 0) nodes.push(x);
  const spillCost = (x: number) => (mf.temps.has(reg[x]) ? Infinity : cost[x] / Math.max(1, degree[x]));
  const low = new MinHeap();
  for (const x of nodes) if (degree[x] < K) low.push(x);
  for (let left = nodes.length; left > 0; left--) {
    let pick = low.pop();
    if (pick === undefined) {
      for (const x of nodes) if (!removed[x] && (pick === undefined || spillCost(x) < spillCost(pick))) pick = x;
    }
    const r = pick!;
    removed[r] = 1;
    stack.push(r);
    neighbours(r, (t) => {
      if (!phys(t) && !removed[t] && --degree[t] === K - 1) low.push(t);
    });
  }

  // Select: colours in reverse removal order, biased toward copy partners' colours.
  const colour = new Int32Array(n).fill(-1);
  for (let x = 0; x < n; x++) if (phys(x)) colour[x] = reg[x];
  const partners: number[][] = Array.from({ length: n }, () => []);
  for (const m of moves) {
    const a = find(m.a);
    const b = find(m.b);
    if (a === b) continue;
    partners[a].push(b);
    partners[b].push(a);
  }
  const spilled = new Uint8Array(n);
  const forbidden = new Uint8Array(16);
  while (stack.length) {
    const r = stack.pop()!;
    forbidden.fill(0);
    neighbours(r, (t) => {
      if (colour[t] >= 0) forbidden[colour[t]] = 1;
    });
    let c: number | undefined;
    for (const p of partners[r]) {
      const pc = colour[p];
      if (pc >= 0 && !forbidden[pc] && ALLOCATABLE.includes(pc)) {
        c = pc;
        break;
      }
    }
    if (c === undefined) c = ALLOCATABLE.find((x) => !forbidden[x]);
    if (c === undefined) spilled[r] = 1;
    else colour[r] = c;
  }

  const result = new Map<number, number>();
  const spilledRegs = new Set<number>();
  for (let x = 0; x < n; x++) {
    if (phys(x)) continue;
    const rep = find(x);
    if (spilled[rep]) spilledRegs.add(reg[x]);
    else result.set(reg[x], colour[rep]);
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
