// The optimizing back end: IR module -> assembler items.
//
// Pipeline per module: the module's call graph and call-site counts read (callgraph.ts) ->
// mem2reg and CFG cleanup (ssa.ts) -> scalar optimisations (opt.ts) ->
// inlining (inline.ts) and another round of optimisation on the functions that changed ->
// loads of fixed vtable words folded (devirt.ts) and the calls made direct inlined -> jumps
// threaded through joins that only branch on a phi (thread.ts) -> small constant-trip loops
// unrolled (unroll.ts) -> i32 loop counters widened to 64 bits (widen.ts), each followed by
// another round of optimisation where it changed something ->
// instruction selection over virtual registers (isel.ts) -> register allocation (regalloc.ts) ->
// emission with the frame laid out (emit.ts), for every function still referred to. Each phase is
// timed separately. The module's functions are transformed in place. With a build cache, only the
// functions whose closure changed go through the passes (buildcache.ts, plan).

import type { Func, Global, Module } from '../ir/ir.js';
import type { Expr, Item } from '../asm/items.js';
import { selectFunc } from '../x86/isel.js';
import { emitFunc } from '../x86/emit.js';
import { foldFixedLoads } from '../passes/devirt.js';
import { inlineFuncs, liveFunctions } from '../passes/inline.js';
import { moduleGraph, type ModuleGraph, referenced } from '../passes/callgraph.js';
import { hoistLoopConstants, optimize } from '../passes/opt.js';
import { allocate } from '../x86/regalloc.js';
import { toSsa } from '../passes/ssa.js';
import { threadJumps } from '../passes/thread.js';
import { unrollLoops } from '../passes/unroll.js';
import { widenInductionVars } from '../passes/widen.js';
import type { BuildCache, Plan } from './buildcache.js';

export interface BackendOptions {
  /** Milliseconds per phase are added here (ssa, opt, inline, isel, regalloc, emit), and `reused`:
   *  the functions the cache answered whole. */
  timings?: Record<string, number>;
  /** Run the optimisation passes and the inliner (default true). mem2reg and allocation always run. */
  optimize?: boolean;
  /** Reuse each function's result from an earlier build when what it depends on is the same. */
  cache?: BuildCache;
}

export function compileModule(m: Module, opts: BackendOptions = {}): Item[] {
  const timings: Record<string, number> = {};
  const time = <T>(phase: string, fn: () => T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      timings[phase] = (timings[phase] ?? 0) + performance.now() - t0;
    }
  };
  const graph = opts.optimize !== false ? time('inline', () => moduleGraph(m)) : undefined;
  const plan = graph && opts.cache?.plan(m, graph);
  const work = plan ? plan.work : m.funcs;
  time('ssa', () => work.forEach(toSsa));
  if (graph) middleEnd(work, m.globals, graph, plan, time);
  const compiled = new Set(work);
  const live = graph && liveFunctions(m, (f) => (plan ? plan.refs(f, compiled.has(f)) : referenced(f)));
  const compile = (f: Func) => {
    const mf = time('isel', () => selectFunc(f));
    const colour = time('regalloc', () => allocate(mf));
    return time('emit', () => emitFunc(mf, colour));
  };
  const items: Item[] = [{ kind: 'section', name: '.text' }];
  for (const f of m.funcs) {
    const isLive = !live || live.has(f.name);
    // A function dead now may be live in a later build with the same key (its callers changed):
    // the cache keeps the items of every function that went through the middle end.
    if (plan && (isLive || compiled.has(f))) {
      const group = plan.group(f, () => compile(f));
      if (isLive) items.push(group);
    } else if (isLive) items.push(...compile(f));
  }
  if (plan && opts.timings) opts.timings.reused = (opts.timings.reused ?? 0) + plan.reused;
  opts.cache?.saveClosures();
  if (live) m.funcs = m.funcs.filter((f) => live.has(f.name));
  time('emit', () => items.push(...emitGlobals(m.globals)));
  if (opts.timings) for (const [k, v] of Object.entries(timings)) opts.timings[k] = (opts.timings[k] ?? 0) + v;
  return items;
}

/**
 * The optimisation passes and the inliner over `work` (in SSA form). Functions outside it that
 * are inlined into it come from `plan`, as an earlier build left them after the same round.
 */
function middleEnd(work: Func[], globals: Global[], graph: ModuleGraph, plan: Plan | undefined, time: <T>(phase: string, fn: () => T) => T): void {
  const round = (n: 1 | 2) => plan && { earlier: (name: string) => plan.earlier(n, name), done: (f: Func) => plan.keep(n, f) };
  time('opt', () => work.forEach(optimize));
  const changed = time('inline', () => inlineFuncs(work, { graph, barred: graph.recursive, ...round(1) }));
  time('opt', () => changed.forEach(optimize));
  // Calls through the vtables of static objects, made direct (passes/devirt.ts), are inlined in
  // a second round: only those calls, in the functions that had them.
  const targets = new Map<Func, Set<string>>();
  const byName = new Map(globals.map((g) => [g.name, g]));
  time('opt', () => work.forEach((f) => {
    const found = new Set<string>();
    for (let n = 0; n < 4 && foldFixedLoads(byName, f, found); n++) optimize(f); // a vtable pointer, then a slot
    if (found.size) targets.set(f, found);
  }));
  const allow = (caller: Func, callee: Func) => targets.get(caller)?.has(callee.name) === true;
  const again = time('inline', () => inlineFuncs(work, { graph, barred: graph.cyclic, allow, ...round(2) }));
  time('opt', () => again.forEach(optimize));
  time('opt', () => work.forEach((f) => threadJumps(f) && optimize(f)));
  time('opt', () => work.forEach((f) => unrollLoops(f) && optimize(f)));
  time('opt', () => work.forEach((f) => widenInductionVars(f) && optimize(f)));
  time('opt', () => work.forEach(hoistLoopConstants));
}

const symExpr = (sym: string, addend: bigint): Expr =>
  addend === 0n
    ? { kind: 'sym', name: sym }
    : { kind: 'binary', op: addend < 0n ? '-' : '+', left: { kind: 'sym', name: sym }, right: { kind: 'num', value: addend < 0n ? -addend : addend } };

const SECTION: Record<Global['section'], string> = { data: '.data', rodata: '.rodata', bss: '.bss' };

/** Module variables and constant data, each in its section, with relocated words as `.quad sym+n`. */
export function emitGlobals(globals: Global[]): Item[] {
  const items: Item[] = [];
  for (const section of ['data', 'rodata', 'bss'] as const) {
    const gs = globals.filter((g) => g.section === section);
    if (!gs.length) continue;
    items.push({ kind: 'section', name: SECTION[section] });
    for (const g of gs) {
      items.push({ kind: 'align', align: Math.max(1, g.align), loc: g.loc });
      if (g.exported) items.push({ kind: 'global', name: g.name, loc: g.loc });
      items.push({ kind: 'type', name: g.name, type: 'object', loc: g.loc });
      items.push({ kind: 'label', name: g.name, loc: g.loc });
      if (section === 'bss' || !g.bytes) {
        if (g.size) items.push({ kind: 'fill', count: { kind: 'num', value: BigInt(g.size) }, size: 1, value: { kind: 'num', value: 0n } });
      } else {
        let pos = 0;
        const bytes = g.bytes;
        const flush = (end: number) => {
          if (end > pos) items.push({ kind: 'bytes', bytes: bytes.slice(pos, end) });
          pos = Math.max(pos, end);
        };
        for (const r of [...g.relocs].sort((a, b) => a.offset - b.offset)) {
          flush(r.offset);
          items.push({ kind: 'data', width: r.width, values: [symExpr(r.sym, r.addend)] });
          pos = r.offset + r.width;
        }
        flush(g.size);
      }
      items.push({ kind: 'size', name: g.name, expr: { kind: 'num', value: BigInt(g.size) } });
    }
  }
  return items;
}
