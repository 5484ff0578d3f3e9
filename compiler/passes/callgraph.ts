// What the inliner and the build cache know of a whole module, read once from its IR before the
// back end changes it: who refers to whom, how often each function is called, which functions can
// reach themselves.
//
// The inliner's decisions about a call are made from these facts and from the callee's body, and
// nothing else: so the back end's result for a function depends only on the functions and globals
// it can reach by references (its closure) and on whether each of them has one call site. The
// build cache keys a function's result by exactly that (buildcache.ts, closureKeys).

import type { Func, Inst, Module, Value } from '../ir/ir.js';
import { mapInstUses, mapTermUses } from '../ir/walk.js';

export interface ModuleGraph {
  /** Every module function and global a function or global names (calls, addresses, data words), in first-use order. */
  refs: Map<string, string[]>;
  /** The module functions a function calls directly. */
  calls: Map<string, Set<string>>;
  /** Direct call sites of each function in the whole module (singleSite). */
  sites: Map<string, number>;
  /** Functions on a cycle of direct calls: never inlined in the first round. */
  recursive: Set<string>;
  /** Functions on a cycle of references of any kind (through a vtable, a table of functions):
   *  never inlined where devirtualization made the call direct. */
  cyclic: Set<string>;
  /** The strongly connected components of `refs`, callees before callers. */
  components: string[][];
}

/** Called from one place only: a local function then is worth inlining whatever its size. The only
 *  use of the counts, so the only thing about them the build cache keys hold. */
export function singleSite(graph: ModuleGraph, name: string): boolean {
  return graph.sites.get(name) === 1;
}

/** The module function a call names directly, if it does. */
export function calleeName(i: Inst): string | undefined {
  return i.op === 'call' && i.callee.kind === 'sym' && i.callee.addend === 0n ? i.callee.name : undefined;
}

/** Every symbol a function's code names (callees, addresses taken), in first-use order. */
export function referenced(f: Func): Set<string> {
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

/** What one function's IR names and calls, by function object: a function the lowering cache
 *  kept is the same object in each build, and unchanged (the back end changes copies of it). */
const facts = new WeakMap<Func, { names: string[]; callees: string[] }>();

function factsOf(f: Func): { names: string[]; callees: string[] } {
  let x = facts.get(f);
  if (!x) {
    const callees = f.blocks.flatMap((b) => b.insts.map(calleeName).filter((n) => n !== undefined));
    facts.set(f, (x = { names: [...referenced(f)], callees }));
  }
  return x;
}

export function moduleGraph(m: Module): ModuleGraph {
  const defined = new Set([...m.funcs.map((f) => f.name), ...m.globals.map((g) => g.name)]);
  const funcs = new Set(m.funcs.map((f) => f.name));
  const refs = new Map<string, string[]>();
  const calls = new Map<string, Set<string>>();
  const sites = new Map<string, number>();
  for (const f of m.funcs) {
    const { names, callees } = factsOf(f);
    refs.set(f.name, names.filter((n) => defined.has(n)));
    const cs = new Set<string>();
    for (const n of callees) {
      sites.set(n, (sites.get(n) ?? 0) + 1);
      if (funcs.has(n)) cs.add(n);
    }
    calls.set(f.name, cs);
  }
  for (const g of m.globals) refs.set(g.name, [...new Set(g.relocs.map((r) => r.sym))].filter((n) => defined.has(n)));
  const components = stronglyConnected(refs);
  return { refs, calls, sites, recursive: onCycle(stronglyConnected(calls), calls), cyclic: onCycle(components, refs), components };
}

/** The nodes of the components that form a cycle: more than one node, or one that names itself. */
function onCycle(components: string[][], edges: Map<string, Iterable<string>>): Set<string> {
  const out = new Set<string>();
  for (const c of components) if (c.length > 1 || [...(edges.get(c[0]) ?? [])].includes(c[0])) for (const n of c) out.add(n);
  return out;
}

/**
 * Tarjan's algorithm without recursion (a long call chain must not overflow the stack): the
 * components of the graph, each after every component it reaches.
 */
export function stronglyConnected(edges: Map<string, Iterable<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const frames: { node: string; next: Iterator<string> }[] = [];
    const enter = (n: string) => {
      index.set(n, index.size);
      low.set(n, index.get(n)!);
      stack.push(n);
      onStack.add(n);
      frames.push({ node: n, next: (edges.get(n) ?? [])[Symbol.iterator]() });
    };
    enter(root);
    while (frames.length) {
      const top = frames[frames.length - 1];
      const step = top.next.next();
      if (!step.done) {
        const w = step.value;
        if (!edges.has(w)) continue;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const c: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          c.push(w);
        } while (w !== top.node);
        out.push(c);
      }
    }
  }
  return out;
}
