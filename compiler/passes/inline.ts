// Inlining of `@inline` functions and of small non-recursive functions, on SSA form.
//
// Callees are handled before their callers (postorder of the call graph), so a callee's body has
// already had its own calls inlined when it is copied. A call is replaced by: the argument
// copies, a jump into a renamed copy of the callee's blocks, and, in the block that continues
// after the call, a phi joining the values of the callee's returns. Functions in a call-graph
// cycle are never inlined. Afterwards, local functions nobody references any more are dropped.

import type { Func, Inst, Module, Terminator, Value } from '../ir/ir.js';
import { instDst, mapInstUses, mapTermUses, succs } from '../ir/walk.js';

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

function calleeName(i: Inst): string | undefined {
  return i.op === 'call' && i.callee.kind === 'sym' && i.callee.addend === 0n ? i.callee.name : undefined;
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

/** Every symbol a function's code names (callees, addresses taken). */
function referenced(f: Func): Set<string> {
  const out = new Set<string>();
  const see = (v: Value) => {
    if (v.kind === 'sym') out.add(v.name);
    return v;
  };
  for (const b of f.blocks) {
    for (const i of b.insts) mapInstUses(i, see);
    mapTermUses(b.term, see);
  }
  return out;
}

/** Functions that can reach themselves through calls. */
function recursiveFuncs(funcs: Map<string, Func>, calls: Map<string, Set<string>>): Set<string> {
  const rec = new Set<string>();
  for (const name of funcs.keys()) {
    const seen = new Set<string>();
    const work = [...(calls.get(name) ?? [])];
    while (work.length) {
      const g = work.pop()!;
      if (g === name) {
        rec.add(name);
        break;
      }
      if (seen.has(g)) continue;
      seen.add(g);
      work.push(...(calls.get(g) ?? []));
    }
  }
  return rec;
}

/**
 * A copy of an instruction that the inliner may rename in place: values are immutable (passes
 * replace them, never mutate them), so only the instruction and its lists are new objects.
 */
function cloneInst(i: Inst): Inst {
  const c = { ...i };
  if (c.op === 'call' || c.op === 'intrin') c.args = [...c.args];
  if (c.op === 'phi') c.incoming = c.incoming.map((x) => ({ ...x }));
  return c;
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

/** Inlines calls across the module (functions must be in SSA form); returns the changed functions. */
/** `allow` can veto single inlining decisions (tests and bisecting use it). */
export function inlineModule(m: Module, allow?: (caller: Func, callee: Func) => boolean): Set<Func> {
  const funcs = new Map(m.funcs.map((f) => [f.name, f]));
  const calls = new Map<string, Set<string>>();
  for (const f of m.funcs) {
    const cs = new Set<string>();
    for (const b of f.blocks) for (const i of b.insts) {
      const n = calleeName(i);
      if (n && funcs.has(n)) cs.add(n);
    }
    calls.set(f.name, cs);
  }
  const recursive = recursiveFuncs(funcs, calls);
  // Postorder of the call graph: callees first.
  const order: Func[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const c of calls.get(name) ?? []) visit(c);
    order.push(funcs.get(name)!);
  };
  for (const f of m.funcs) visit(f.name);

  const changed = new Set<Func>();
  const sizes = new Map(m.funcs.map((f) => [f.name, size(f)]));
  // Direct call sites of each function: a local function called once is inlined whatever its size
  // (up to SINGLE_CALL_LIMIT), since its body then exists once either way.
  const sites = new Map<string, number>();
  for (const f of m.funcs) for (const b of f.blocks) for (const i of b.insts) {
    const n = calleeName(i);
    if (n) sites.set(n, (sites.get(n) ?? 0) + 1);
  }
  const autoOk = (g: Func) => {
    const n = sizes.get(g.name)!;
    return (n <= INLINE_THRESHOLD || (!g.exported && sites.get(g.name) === 1 && n <= SINGLE_CALL_LIMIT)) && !readsFrame(g) && !neverReturns(g);
  };
  for (const f of order) {
    for (let b = 0; b < f.blocks.length; b++) {
      const insts = f.blocks[b].insts;
      for (let k = 0; k < insts.length; k++) {
        const n = calleeName(insts[k]);
        const g = n === undefined ? undefined : funcs.get(n);
        if (!g || g === f || recursive.has(g.name) || g.inline === 'never') continue;
        const call = insts[k];
        if (call.op !== 'call' || call.args.length !== g.params.length) continue;
        const small = autoOk(g) && size(f) < CALLER_LIMIT;
        if ((g.inline !== 'always' && !small) || (allow && !allow(f, g))) continue;
        inlineCall(f, b, k, g);
        changed.add(f);
        break; // the rest of this block moved to a new block, scanned later
      }
    }
    sizes.set(f.name, size(f));
  }
  removeDeadFunctions(m);
  return changed;
}

/** Drops local functions that no kept function or global refers to. */
export function removeDeadFunctions(m: Module): void {
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
    if (f) work.push(...referenced(f));
  }
  m.funcs = m.funcs.filter((f) => live.has(f.name));
}
