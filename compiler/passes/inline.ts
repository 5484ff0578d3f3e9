// Inlining of `@inline` functions and of small non-recursive functions, on SSA form.
//
// Callees are handled before their callers (postorder of the call graph), so a callee's body has
// already had its own calls inlined when it is copied. A call is replaced by: the argument
// copies, a jump into a renamed copy of the callee's blocks, and, in the block that continues
// after the call, a phi joining the values of the callee's returns. Functions in a call-graph
// cycle are never inlined. What decides a call is the callee's body and the module's facts read
// before the back end (callgraph.ts), so that the build cache can key a function's result by the
// functions it reaches. The back end then drops the local functions nobody refers to (liveFunctions).

import type { Func, Inst, Module, Terminator, Value } from '../ir/ir.js';
import { cloneInst, instDst, mapInstUses, mapTermUses, succs } from '../ir/walk.js';
import { calleeName, type ModuleGraph, singleSite } from './callgraph.js';

/** Auto-inline callees of at most this many instructions (calls count extra). */
export const INLINE_THRESHOLD = 40;
/** Auto-inline a local function with a single call site up to this size. */
const SINGLE_CALL_LIMIT = 300;
/** Stop auto-inlining into a function once it has grown this large. */
const CALLER_LIMIT = 4000;

function size(f: Func): number {
  let n = 0;
  for (const b of f.blocks) {
    n += 1;
    for (const i of b.insts) n += i.op === 'call' ? 5 : i.op === 'phi' ? 0 : 1;
  }
  return n;
}

/** Code that reads its own frame (frame_address) must stay a function of its own. */
function readsFrame(f: Func): boolean {
  return f.blocks.some((b) => b.insts.some((i) => i.op === 'intrin' && i.name === 'frame_address'));
}

/**
 * A function that never returns (no `ret`: it ends in `unreachable` or loops forever) is on a
 * failure path (panic, a bounds check's report): copying it into every caller would only grow the
 * code around the fast path, so it is inlined only when marked `@inline`.
 */
function neverReturns(f: Func): boolean {
  return !f.blocks.some((b) => b.term.op === 'ret');
}

/** What this pass reads of a function it inlines: what InlineRound.earlier returns in a later
 *  build. Not a copy: the build cache keeps a copy of it (buildcache.ts, Plan.keep). */
export function inlineBody(f: Func): Func {
  const { name, exported, params, ret, nextVreg, inline, blocks } = f;
  return { name, exported, params, ret, nextVreg, inline, blocks };
}

/** Replaces the call at f.blocks[b].insts[k] with a copy of g's body. */
function inlineCall(f: Func, b: number, k: number, g: Func): void {
  const blk = f.blocks[b];
  const call = blk.insts[k];
  if (call.op !== 'call') return;
  // The rest of the block continues in a new block.
  const cont = f.blocks.length;
  f.blocks.push({ id: cont, insts: blk.insts.slice(k + 1), term: blk.term });
  for (const s of succs(blk.term)) {
    for (const i of f.blocks[s].insts) if (i.op === 'phi') for (const inc of i.incoming) if (inc.block === b) inc.block = cont;
  }
  blk.insts = blk.insts.slice(0, k);

  const vmap = new Map<number, number>();
  const rv = (id: number): number => {
    let n = vmap.get(id);
    if (n === undefined) vmap.set(id, (n = f.nextVreg++));
    return n;
  };
  const base = f.blocks.length;
  g.params.forEach((p, n) => blk.insts.push({ op: 'copy', cls: p.cls, dst: rv(p.vreg), a: call.args[n], loc: call.loc }));
  blk.term = { op: 'jmp', target: base, loc: call.loc };

  const rets: { block: number; value?: Value }[] = [];
  const renameValue = (v: Value): Value => (v.kind === 'vreg' ? { kind: 'vreg', id: rv(v.id), cls: v.cls } : v);
  for (const gb of g.blocks) {
    const id = base + gb.id;
    const insts = gb.insts.map((i) => {
      const c = cloneInst(i);
      mapInstUses(c, renameValue);
      const d = instDst(c);
      if (d) (c as { dst: number }).dst = rv(d.dst);
      if (c.op === 'phi') for (const inc of c.incoming) inc.block += base;
      return c;
    });
    let term: Terminator = { ...gb.term };
    mapTermUses(term, renameValue);
    if (term.op === 'jmp') term.target += base;
    if (term.op === 'br') {
      term.then += base;
      term.else += base;
    }
    if (term.op === 'ret') {
      rets.push({ block: id, value: term.value });
      term = { op: 'jmp', target: cont, loc: term.loc };
    }
    f.blocks.push({ id, insts, term });
  }
  if (call.dst !== undefined && rets.length) {
    const cls = call.cls ?? g.ret ?? 'l';
    const incoming = rets.map((r) => ({ block: r.block, value: r.value ?? { kind: 'const' as const, value: 0n, cls } }));
    const join: Inst = incoming.length === 1
      ? { op: 'copy', cls, dst: call.dst, a: incoming[0].value, loc: call.loc }
      : { op: 'phi', cls, dst: call.dst, incoming, loc: call.loc };
    f.blocks[cont].insts.unshift(join);
  }
}

/** One round of inlining over some of a module's functions (inlineFuncs). */
export interface InlineRound {
  graph: ModuleGraph;
  /** Callees never inlined: graph.recursive, or graph.cyclic where calls were made direct late. */
  barred: Set<string>;
  /** Vetoes single decisions (the second round, tests). */
  allow?: (caller: Func, callee: Func) => boolean;
  /** The body of a function outside the work list as this round left it in an earlier build. */
  earlier?: (name: string) => Func | undefined;
  /** Called with each function of the work list once the round is done with it. */
  done?: (f: Func) => void;
}

/**
 * Inlines calls in `work` (functions in SSA form; each callee is in `work` or `round.earlier` has
 * it); returns the changed functions. Callees are done before their callers, so a callee's body
 * has had its own calls inlined when it is copied.
 */
export function inlineFuncs(work: Func[], round: InlineRound): Set<Func> {
  const { graph, barred, allow } = round;
  const funcs = new Map(work.map((f) => [f.name, f]));
  // Postorder of the calls the work list makes now (the second round's were made direct after the
  // module was read), without recursion: a deep call chain must not overflow the stack.
  const callees = (f: Func) => f.blocks.flatMap((b) => b.insts.map(calleeName)).filter((n) => n !== undefined)[Symbol.iterator]();
  const order: Func[] = [];
  const seen = new Set<Func>();
  for (const f of work) {
    if (seen.has(f)) continue;
    seen.add(f);
    const stack: [Func, Iterator<string>][] = [[f, callees(f)]];
    while (stack.length) {
      const [g, next] = stack[stack.length - 1];
      const step = next.next();
      if (step.done) {
        stack.pop();
        order.push(g);
        continue;
      }
      const h = funcs.get(step.value);
      if (h && !seen.has(h)) {
        seen.add(h);
        stack.push([h, callees(h)]);
      }
    }
  }

  const changed = new Set<Func>();
  const sizes = new Map<string, number>();
  const sizeOf = (g: Func) => sizes.get(g.name) ?? sizes.set(g.name, size(g)).get(g.name)!;
  const autoOk = (g: Func) => {
    const n = sizeOf(g);
    return (n <= INLINE_THRESHOLD || (!g.exported && singleSite(graph, g.name) && n <= SINGLE_CALL_LIMIT)) && !readsFrame(g) && !neverReturns(g);
  };
  for (const f of order) {
    for (let b = 0; b < f.blocks.length; b++) {
      const insts = f.blocks[b].insts;
      for (let k = 0; k < insts.length; k++) {
        const n = calleeName(insts[k]);
        if (n === undefined || n === f.name || barred.has(n) || !graph.calls.has(n)) continue;
        const g = funcs.get(n) ?? round.earlier?.(n);
        if (!g) throw new Error(`inline: no body for ${n}, called from ${f.name}`);
        const call = insts[k];
        if (g.inline === 'never' || call.op !== 'call' || call.args.length !== g.params.length) continue;
        if (allow && !allow(f, g)) continue;
        if (g.inline !== 'always' && !(autoOk(g) && size(f) < CALLER_LIMIT)) continue;
        inlineCall(f, b, k, g);
        changed.add(f);
        break; // the rest of this block moved to a new block, scanned later
      }
    }
    sizes.set(f.name, size(f));
    round.done?.(f);
  }
  return changed;
}

/** The functions that stay: the exported ones and what they, or any global, refer to. */
export function liveFunctions(m: Module, refsOf: (f: Func) => Iterable<string>): Set<string> {
  const funcs = new Map(m.funcs.map((f) => [f.name, f]));
  const live = new Set<string>();
  const work: string[] = [];
  for (const f of m.funcs) if (f.exported) work.push(f.name);
  for (const g of m.globals) for (const r of g.relocs) work.push(r.sym);
  while (work.length) {
    const n = work.pop()!;
    if (live.has(n)) continue;
    live.add(n);
    const f = funcs.get(n);
    if (f) work.push(...refsOf(f));
  }
  return live;
}
