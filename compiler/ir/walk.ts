// Walkers over IR instructions and terminators: what an instruction defines and uses, a block's
// successors, and which instructions must stay. Every pass and the code generator share them.

import type { Cls, Func, Inst, Terminator, Value } from './ir.js';
import { mayTrap } from './fold.js';

/** The value an instruction defines, with its class; undefined for stores and void calls. */
export function instDst(i: Inst): { dst: number; cls: Cls } | undefined {
  switch (i.op) {
    case 'store':
      return undefined;
    case 'alloca':
      return { dst: i.dst, cls: 'l' };
    case 'cmp':
      return { dst: i.dst, cls: 'w' };
    case 'call':
    case 'intrin':
      return i.dst === undefined ? undefined : { dst: i.dst, cls: i.cls ?? 'l' };
    default:
      return { dst: i.dst, cls: i.cls };
  }
}

/** Replaces every operand of an instruction by f(operand). Values are never mutated in place. */
export function mapInstUses(i: Inst, f: (v: Value) => Value): void {
  switch (i.op) {
    case 'bin':
    case 'cmp':
      i.a = f(i.a);
      i.b = f(i.b);
      break;
    case 'un':
    case 'ext':
    case 'copy':
      i.a = f(i.a);
      break;
    case 'select':
      i.cond = f(i.cond);
      i.a = f(i.a);
      i.b = f(i.b);
      break;
    case 'load':
      i.addr = f(i.addr);
      break;
    case 'store':
      i.addr = f(i.addr);
      i.value = f(i.value);
      break;
    case 'alloca':
      break;
    case 'call':
      i.callee = f(i.callee);
      i.args = i.args.map(f);
      break;
    case 'intrin':
      i.args = i.args.map(f);
      break;
    case 'phi':
      for (const inc of i.incoming) inc.value = f(inc.value);
      break;
  }
}

export function instUses(i: Inst): Value[] {
  const out: Value[] = [];
  mapInstUses(i, (v) => (out.push(v), v));
  return out;
}

export function mapTermUses(t: Terminator, f: (v: Value) => Value): void {
  if (t.op === 'br') t.cond = f(t.cond);
  else if (t.op === 'ret' && t.value) t.value = f(t.value);
}

export function termUses(t: Terminator): Value[] {
  const out: Value[] = [];
  mapTermUses(t, (v) => (out.push(v), v));
  return out;
}

export function succs(t: Terminator): number[] {
  if (t.op === 'jmp') return [t.target];
  if (t.op === 'br') return t.then === t.else ? [t.then] : [t.then, t.else];
  return [];
}

/** Redirects a terminator's edges to `from` so they go to `to`. */
export function retarget(t: Terminator, from: number, to: number): void {
  if (t.op === 'jmp' && t.target === from) t.target = to;
  if (t.op === 'br') {
    if (t.then === from) t.then = to;
    if (t.else === from) t.else = to;
  }
}

export function valueCls(v: Value): Cls {
  return v.kind === 'sym' ? 'l' : v.cls;
}

export function vreg(id: number, cls: Cls): Value {
  return { kind: 'vreg', id, cls };
}

/** Instructions that must stay even if their result is unused. */
export function hasSideEffects(i: Inst): boolean {
  switch (i.op) {
    case 'store':
    case 'call':
    case 'intrin':
      return true;
    case 'load':
      return !!i.volatile;
    case 'bin':
      return mayTrap(i.bin, i.cls, i.b);
    default:
      return false;
  }
}

/** A copy of an instruction that passes may change (its values, never changed in place, are shared). */
export function cloneInst(i: Inst): Inst {
  const c = { ...i };
  if (c.op === 'call' || c.op === 'intrin') c.args = [...c.args];
  if (c.op === 'phi') c.incoming = c.incoming.map((x) => ({ ...x }));
  return c;
}

/** A copy of a function that the passes may transform while `f` stays as it is (a lowered function
 *  kept by the lowering cache; its debug types and locations are shared, never changed). */
export function copyFunc(f: Func): Func {
  return {
    ...f,
    params: f.params.map((p) => ({ ...p })),
    blocks: f.blocks.map((b) => ({ id: b.id, insts: b.insts.map(cloneInst), term: { ...b.term } })),
    names: f.names && new Map(f.names),
    types: f.types && new Map(f.types),
    vars: f.vars?.map((v) => ({ ...v })),
  };
}
