// The optimizing back end: IR module -> assembler items.
//
// Pipeline per module: mem2reg and CFG cleanup (ssa.ts) -> scalar optimisations (opt.ts) ->
// inlining (inline.ts) and another round of optimisation on the functions that changed -> jumps
// threaded through joins that only branch on a phi (thread.ts) -> small constant-trip loops
// unrolled (unroll.ts) -> i32 loop counters widened to 64 bits (widen.ts), each followed by
// another round of optimisation where it changed something ->
// instruction selection over virtual registers (isel.ts) -> register allocation (regalloc.ts) ->
// emission with the frame laid out (emit.ts). Each phase is timed separately. The module's
// functions are transformed in place.

import type { Func, Global, Module } from '../ir/ir.js';
import type { Expr, Item } from '../asm/items.js';
import { selectFunc } from '../x86/isel.js';
import { emitFunc } from '../x86/emit.js';
import { foldFixedLoads } from '../passes/devirt.js';
import { inlineModule } from '../passes/inline.js';
import { hoistLoopConstants, optimize } from '../passes/opt.js';
import { allocate } from '../x86/regalloc.js';
import { toSsa } from '../passes/ssa.js';
import { threadJumps } from '../passes/thread.js';
import { unrollLoops } from '../passes/unroll.js';
import { widenInductionVars } from '../passes/widen.js';
import type { BuildCache } from './buildcache.js';

export interface BackendOptions {
  /** Milliseconds per phase are added here (ssa, opt, inline, isel, regalloc, emit). */
  timings?: Record<string, number>;
  /** Run the optimisation passes and the inliner (default true). mem2reg and allocation always run. */
  optimize?: boolean;
  /** Reuse each function's items from an earlier build when its optimised IR is the same. */
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
  const optimizing = opts.optimize !== false;
  time('ssa', () => m.funcs.forEach(toSsa));
  if (optimizing) {
    time('opt', () => m.funcs.forEach(optimize));
    const changed = time('inline', () => inlineModule(m));
    time('opt', () => changed.forEach(optimize));
    // Calls through the vtables of static objects, made direct (passes/devirt.ts), are inlined in
    // a second round: only those calls, in the functions that had them.
    const devirtualized = new Set<Func>();
    const targets = new Set<string>();
    const globals = new Map(m.globals.map((g) => [g.name, g]));
    time('opt', () => m.funcs.forEach((f) => {
      for (let n = 0; n < 4 && foldFixedLoads(globals, f, targets); n++) { // a vtable pointer, then a slot
        optimize(f);
        devirtualized.add(f);
      }
    }));
    if (devirtualized.size) {
      const again = time('inline', () => inlineModule(m, (caller, callee) => devirtualized.has(caller) && targets.has(callee.name)));
      time('opt', () => again.forEach(optimize));
    }
    time('opt', () => m.funcs.forEach((f) => threadJumps(f) && optimize(f)));
    time('opt', () => m.funcs.forEach((f) => unrollLoops(f) && optimize(f)));
    time('opt', () => m.funcs.forEach((f) => widenInductionVars(f) && optimize(f)));
    time('opt', () => m.funcs.forEach(hoistLoopConstants));
  }
  const items: Item[] = [{ kind: 'section', name: '.text' }];
  for (const f of m.funcs) {
    const compile = () => {
      const mf = time('isel', () => selectFunc(f));
      const colour = time('regalloc', () => allocate(mf));
      return time('emit', () => emitFunc(mf, colour));
    };
    items.push(...(opts.cache ? opts.cache.func(f, compile) : compile()));
  }
  if (opts.cache && opts.timings) opts.timings.reused = (opts.timings.reused ?? 0) + opts.cache.hits;
  opts.cache?.saveFuncs();
  time('emit', () => items.push(...emitGlobals(m.globals)));
  if (opts.timings) for (const [k, v] of Object.entries(timings)) opts.timings[k] = (opts.timings[k] ?? 0) + v;
  return items;
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
