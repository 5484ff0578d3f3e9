// Control-flow-graph analyses over IR functions: predecessors and reverse postorder, dominators
// (Cooper, Harvey & Kennedy, "A Simple, Fast Dominance Algorithm"), dominance frontiers, natural
// loops and loop depth, and critical-edge splitting. Shared by the passes and the code generator.

import type { Func, Terminator } from './ir.js';
import { retarget, succs } from './walk.js';

export interface Cfg {
  preds: number[][];
  rpo: number[]; // reachable blocks in reverse postorder
  order: number[]; // order[b] = index of b in rpo, -1 if unreachable
}

export function buildCfg(f: Func): Cfg {
  const n = f.blocks.length;
  const preds: number[][] = new Array(n);
  for (let b = 0; b < n; b++) preds[b] = [];
  const order = new Array<number>(n).fill(-1);
  const seen = new Uint8Array(n);
  const post: number[] = [];
  // Iterative DFS so that deep CFGs cannot overflow the JS stack: block and next successor index.
  const stackB = new Int32Array(n);
  const stackNext = new Uint8Array(n);
  let sp = 0;
  stackB[sp++] = 0;
  seen[0] = 1;
  while (sp) {
    const top = stackB[sp - 1];
    const s = succAt(f.blocks[top].term, stackNext[sp - 1]++);
    if (s >= 0) {
      if (!seen[s]) {
        seen[s] = 1;
        stackB[sp] = s;
        stackNext[sp++] = 0;
      }
    } else {
      post.push(top);
      sp--;
    }
  }
  const rpo = post.reverse();
  for (let i = 0; i < rpo.length; i++) order[rpo[i]] = i;
  for (const b of rpo) {
    const t = f.blocks[b].term;
    for (let k = 0, s; (s = succAt(t, k)) >= 0; k++) preds[s].push(b);
  }
  return { preds, rpo, order };
}

/** The k-th successor of a terminator (as in succs), or -1: no array allocated. */
function succAt(t: Terminator, k: number): number {
  if (t.op === 'jmp') return k === 0 ? t.target : -1;
  if (t.op === 'br') return k === 0 ? t.then : k === 1 && t.else !== t.then ? t.else : -1;
  return -1;
}

/** Immediate dominators (idom[entry] = entry, -1 for unreachable blocks). */
export function dominators(cfg: Cfg): number[] {
  const idom = new Array<number>(cfg.order.length).fill(-1);
  const entry = cfg.rpo[0];
  idom[entry] = entry;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (cfg.order[a] > cfg.order[b]) a = idom[a];
      while (cfg.order[b] > cfg.order[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of cfg.rpo) {
      if (b === entry) continue;
      let nd = -1;
      for (const p of cfg.preds[b]) if (idom[p] !== -1) nd = nd === -1 ? p : intersect(p, nd);
      if (nd !== idom[b]) {
        idom[b] = nd;
        changed = true;
      }
    }
  }
  return idom;
}

export function dominanceFrontiers(cfg: Cfg, idom: number[]): Set<number>[] {
  const df = idom.map(() => new Set<number>());
  for (const b of cfg.rpo) {
    if (cfg.preds[b].length < 2) continue;
    for (const p of cfg.preds[b]) {
      for (let r = p; r !== idom[b] && r !== -1; r = idom[r]) {
        df[r].add(b);
        if (r === idom[r]) break;
      }
    }
  }
  return df;
}

export function dominates(idom: number[], a: number, b: number): boolean {
  for (;;) {
    if (a === b) return true;
    if (b === idom[b] || idom[b] === -1) return false;
    b = idom[b];
  }
}

/** The natural loop of each back edge t -> h: its header and every block that reaches t without passing h. */
export function backEdgeLoops(f: Func): { header: number; body: Set<number> }[] {
  const cfg = buildCfg(f);
  const idom = dominators(cfg);
  const loops: { header: number; body: Set<number> }[] = [];
  for (const t of cfg.rpo) {
    for (const h of succs(f.blocks[t].term)) {
      if (!dominates(idom, h, t)) continue;
      const body = new Set<number>([h]);
      const work = [t];
      while (work.length) {
        const b = work.pop()!;
        if (body.has(b)) continue;
        body.add(b);
        work.push(...cfg.preds[b]);
      }
      loops.push({ header: h, body });
    }
  }
  return loops;
}

/** Loop nesting depth of each block (one level per enclosing back edge), for spill costs. */
export function loopDepths(f: Func): number[] {
  const depth = new Array<number>(f.blocks.length).fill(0);
  for (const { body } of backEdgeLoops(f)) for (const b of body) depth[b]++;
  return depth;
}

/** Splits every edge from a block with several successors into a block with phis. */
export function splitCriticalEdges(f: Func): void {
  const cfg = buildCfg(f);
  for (const b of cfg.rpo) {
    const t = f.blocks[b].term;
    if (t.op !== 'br') continue;
    for (const s of succs(t)) {
      if (!f.blocks[s].insts.some((i) => i.op === 'phi')) continue;
      const id = f.blocks.length;
      f.blocks.push({ id, insts: [], term: { op: 'jmp', target: s, loc: t.loc } });
      retarget(t, s, id);
      for (const i of f.blocks[s].insts) {
        if (i.op === 'phi') for (const inc of i.incoming) if (inc.block === b) inc.block = id;
      }
    }
  }
}
