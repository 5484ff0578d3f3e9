// `??`, `??=` and `?.` on references (`T | null`; see lower.ts). Only references can be null, so
// `a ?? b` needs a reference `a`, and `a?.f` / `a?.m()` are allowed where their result can be
// null too: a reference (null when `a` is) or nothing (a void call that is skipped). An integer
// result would be `undefined` in TypeScript, which has no value here: refused (TSK1012).

import { ts } from './program.js';
import { CODES as C } from './check.js';
import { type Type, VOID, typeName } from './types.js';
import { type Lowerer, type TV, ZERO_TV, cmp, isRefLike, load, skipParens, slotSize } from './lower.js';
import { konst } from '../ir/builder.js';
import { expr, lvalue, readLValue, writeLValue } from './expr.js';
import { exprAs } from './intrinsics.js';
import { clsOf } from './types.js';

/** `obj?.rest`: `rest(obj)` when obj is not null; null (or nothing, or `dflt` in `obj?.rest ?? dflt`) when it is. */
export function optional(L: Lowerer, node: ts.Node, obj: TV, rest: (obj: TV) => TV, dflt?: ts.Expression): TV {
  if (!isRefLike(obj.t) || obj.t.kind === 'null') {
    L.error(C.OPTIONAL_CHAINING, `'?.' needs a reference that can be null, not ${typeName(obj.t)}`, node);
    return ZERO_TV;
  }
  const b = L.b;
  const some = b.newBlock();
  const none = b.newBlock();
  const end = b.newBlock();
  const slot = b.alloca(8, 8);
  b.br(cmp(L, 'ne', 'l', obj.v, konst(0n, 'l')), some, none);
  b.setBlock(some);
  const r = rest(obj);
  const isVoid = r.t.kind === 'void' || r.t.kind === 'error';
  if (dflt && !isVoid) {
    // `a?.v ?? d`: the chain's value, or d when an object on the way was null.
    const cls = clsOf(r.t);
    const s = b.alloca(slotSize(cls), slotSize(cls));
    b.emit({ op: 'store', addr: s, value: r.v, width: slotSize(cls) });
    b.jmp(end);
    b.setBlock(none);
    b.emit({ op: 'store', addr: s, value: exprAs(L, dflt, r.t), width: slotSize(cls) });
    b.jmp(end);
    b.setBlock(end);
    return { t: r.t, v: load(L, s, slotSize(cls), false, cls) };
  }
  if (!isVoid && !isRefLike(r.t)) {
    L.error(C.OPTIONAL_CHAINING, `'?.' gives undefined when the object is null, and ${typeName(r.t)} has no such value: write 'x != null ? x.f : 0'`, node);
  } else if (!isVoid) {
    b.emit({ op: 'store', addr: slot, value: r.v, width: 8 });
  }
  b.jmp(end);
  b.setBlock(none);
  if (!isVoid) b.emit({ op: 'store', addr: slot, value: konst(0n, 'l'), width: 8 });
  b.jmp(end);
  b.setBlock(end);
  if (isVoid || !isRefLike(r.t)) return { t: isVoid ? VOID : r.t, v: konst(0n, 'w') };
  return { t: r.t, v: load(L, slot, 8, false, 'l') };
}

/** A chain that goes on after `?.` without its own `?.` (`a?.b.c`) would read through null: refused. */
export function checkChain(L: Lowerer, node: ts.PropertyAccessExpression | ts.CallExpression): boolean {
  if (!(node.flags & ts.NodeFlags.OptionalChain) || node.questionDotToken) return true;
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.questionDotToken) return true;
  L.error(C.OPTIONAL_CHAINING, "after '?.', continue the chain with '?.' too ('a?.b?.c'): the rest would read through null", node);
  return false;
}

/** In `a?.f ?? d`, the default the chain ending at `node` takes when it meets null (taken once). */
export function chainDefault(L: Lowerer, node: ts.Node): ts.Expression | undefined {
  const d = L.chainDefault;
  if (d?.at !== node) return undefined;
  L.chainDefault = undefined;
  return d.value;
}

/** `a ?? b`: `a` unless it is null, else `b` (evaluated only then). */
export function nullish(L: Lowerer, node: ts.BinaryExpression, want: Type | undefined): TV {
  const left = skipParens(node.left);
  if ((ts.isPropertyAccessExpression(left) || ts.isCallExpression(left)) && left.flags & ts.NodeFlags.OptionalChain) {
    const outer = L.chainDefault;
    L.chainDefault = { at: left, value: node.right };
    const tv = expr(L, left, want);
    const unused = L.chainDefault?.at === left; // the chain ended in a reference: `??` applies as usual below
    L.chainDefault = outer;
    if (!unused) return tv;
    return orElse(L, tv, node, want);
  }
  return orElse(L, expr(L, node.left, want), node, want);
}

function orElse(L: Lowerer, a: TV, node: ts.BinaryExpression, want: Type | undefined): TV {
  void want;
  if (a.t.kind === 'error') return ZERO_TV;
  if (!isRefLike(a.t) || a.t.kind === 'null') {
    L.error(C.NULLISH, `'??' needs a reference that can be null on its left, not ${typeName(a.t)}`, node.left);
    return ZERO_TV;
  }
  const b = L.b;
  const cls = clsOf(a.t);
  const slot = b.alloca(slotSize(cls), slotSize(cls));
  b.emit({ op: 'store', addr: slot, value: a.v, width: 8 });
  const other = b.newBlock();
  const end = b.newBlock();
  b.br(cmp(L, 'ne', 'l', a.v, konst(0n, 'l')), end, other);
  b.setBlock(other);
  b.emit({ op: 'store', addr: slot, value: exprAs(L, node.right, a.t), width: 8 });
  b.jmp(end);
  b.setBlock(end);
  return { t: a.t, v: load(L, slot, 8, false, 'l') };
}

/** `x ??= y`: assigns `y` to `x` only when `x` is null; the value is `x` afterwards. */
export function nullishAssign(L: Lowerer, node: ts.BinaryExpression): TV {
  const lv = lvalue(L, node.left);
  if (!lv) return ZERO_TV;
  const cur = readLValue(L, lv);
  if (!isRefLike(cur.t)) {
    if (cur.t.kind !== 'error') L.error(C.NULLISH, `'??=' needs a reference that can be null on its left, not ${typeName(cur.t)}`, node.left);
    return ZERO_TV;
  }
  const b = L.b;
  const assign = b.newBlock();
  const end = b.newBlock();
  b.br(cmp(L, 'eq', 'l', cur.v, konst(0n, 'l')), assign, end);
  b.setBlock(assign);
  writeLValue(L, lv, exprAs(L, node.right, lv.t));
  b.jmp(end);
  b.setBlock(end);
  return readLValue(L, lv);
}
