// Lowering of expressions (see lower.ts): literals, names, operators with the integer typing rules,
// places (locals, globals, fields, elements) for reads and writes, calls direct and indirect, `new`.

import type { Block, Value, BinOp, CmpOp } from '../ir/ir.js';
import { ts, nodeLoc } from './program.js';
import { CODES as C, isFloatText } from './check.js';
import { type Type, type IntType, INT_TYPES, I32, I64, U8, U64, USIZE, BOOL, VOID, NULL, STRING, ERROR, clsOf, sizeOf, isAggregate, memAccess, typeName, sameType, unifyInts, intRange, isInt } from './types.js';
import { ARITH_OPS, BUILTIN_CONSTS, fieldInitialisers, type FuncInfo, type LValue, type Lowerer, type StructEntity, type TV, ZERO_TV, addOffset, binop, cmp, isLiteralish, isRefLike, load, loadLocal, skipParens, slotSize, thisKey, unop } from './lower.js';
import { W, konst } from '../ir/builder.js';
import { cond, condValue } from './stmt.js';
import { constExpr, constValue, declOf, resolveType, stringSym, structEntity } from './decls.js';
import { convert, exprAs, intrinsic, wrap } from './intrinsics.js';
import { genericCall, instantiateClass, newTypeArgs } from './generics.js';
import { accessorCall, findMethod, isSubtype, methodCall, superCall, superMethodCall, vtableSym } from './classes.js';
import { hasModifier } from './check.js';
import { lambda } from './lambda.js';
import { checkIndex, checkIndexAgainst } from './bounds.js';
import { copySlice, sliceLength, slicePtr } from './slices.js';
import { chainDefault, checkChain, nullish, nullishAssign, optional } from './nullish.js';

/** Two references where one's class is a subclass (or implementer) of the other's. */
function related(a: Type, b: Type): boolean {
  return a.kind === 'ref' && b.kind === 'ref' && (isSubtype(a.struct, b.struct) || isSubtype(b.struct, a.struct));
}

const S = ts.SyntaxKind;

// ---- expressions ----

/** Lowers an expression with an optional contextual type (which only literals and null adopt). */
export function expr(L: Lowerer, node: ts.Expression, want?: Type, discard = false): TV {
  const saved = L.b.loc;
  L.b.loc = nodeLoc(node);
  const tv = exprInner(L, node, want, discard);
  L.b.loc = saved;
  return tv;
}

function exprInner(L: Lowerer, node: ts.Expression, want: Type | undefined, discard: boolean): TV {
  switch (node.kind) {
    case ts.SyntaxKind.NumericLiteral:
      return numericLiteral(L, node as ts.NumericLiteral, 1n, want);
    case ts.SyntaxKind.TrueKeyword:
      return { t: BOOL, v: W(1n) };
    case ts.SyntaxKind.FalseKeyword:
      return { t: BOOL, v: W(0n) };
    case ts.SyntaxKind.NullKeyword:
      return { t: want && (want.kind === 'ref' || want.kind === 'func' || want.kind === 'string') ? want : NULL, v: konst(0n, 'l') };
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return { t: STRING, v: { kind: 'sym', name: stringSym(L, (node as ts.StringLiteral).text), addend: 8n } };
    case ts.SyntaxKind.TemplateExpression:
      L.error(C.STRING_CONCAT, 'a template literal with holes can only be passed to a fmt parameter (there is no string concatenation)', node);
      return ZERO_TV;
    case ts.SyntaxKind.ParenthesizedExpression:
      return expr(L, (node as ts.ParenthesizedExpression).expression, want, discard);
    case ts.SyntaxKind.NonNullExpression:
      return expr(L, (node as ts.NonNullExpression).expression, want);
    case ts.SyntaxKind.Identifier:
      return identifier(L, node as ts.Identifier);
    case ts.SyntaxKind.ThisKeyword:
      return thisValue(L, node);
    case ts.SyntaxKind.PrefixUnaryExpression:
      return prefixUnary(L, node as ts.PrefixUnaryExpression, want);
    case ts.SyntaxKind.PostfixUnaryExpression: {
      const u = node as ts.PostfixUnaryExpression;
      return incDec(L, u.operand, u.operator === ts.SyntaxKind.PlusPlusToken ? 'add' : 'sub', !discard, u);
    }
    case ts.SyntaxKind.BinaryExpression:
      return binary(L, node as ts.BinaryExpression, want);
    case ts.SyntaxKind.ConditionalExpression:
      return conditional(L, node as ts.ConditionalExpression, want);
    case ts.SyntaxKind.CallExpression:
      return call(L, node as ts.CallExpression);
    case ts.SyntaxKind.PropertyAccessExpression:
      return propertyAccess(L, node as ts.PropertyAccessExpression);
    case ts.SyntaxKind.ElementAccessExpression: {
      const lv = lvalue(L, node);
      return lv ? readLValue(L, lv) : ZERO_TV;
    }
    case ts.SyntaxKind.NewExpression:
      return newExpr(L, node as ts.NewExpression, want);
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return lambda(L, node as ts.ArrowFunction | ts.FunctionExpression, want);
    default:
      // Refused constructs were reported by check.ts; anything else is reported here.
      if (!isRefusedExpression(node)) L.error(C.BAD_DECLARATION, `${ts.SyntaxKind[node.kind]} is not supported`, node);
      return ZERO_TV;
  }
}

function numericLiteral(L: Lowerer, node: ts.NumericLiteral, sign: bigint, want: Type | undefined, at: ts.Node = node): TV {
  const text = node.getText();
  if (isFloatText(text)) return ZERO_TV; // refused by check.ts
  const value = sign * BigInt(text.replace(/_/g, ''));
  if (want && isInt(want)) {
    const [lo, hi] = intRange(want);
    if (value < lo || value > hi) {
      L.error(C.LITERAL_RANGE, `literal ${sign < 0n ? '-' : ''}${text} does not fit in ${want.name} (${lo}..${hi})`, at);
      return { t: want, v: konst(0n, clsOf(want)) };
    }
    return { t: want, v: konst(value, clsOf(want)) };
  }
  for (const t of [I32, I64, U64]) {
    const [lo, hi] = intRange(t);
    if (value >= lo && value <= hi) return { t, v: konst(value, clsOf(t)) };
  }
  L.error(C.LITERAL_RANGE, `literal ${text} does not fit in 64 bits`, at);
  return ZERO_TV;
}

function identifier(L: Lowerer, node: ts.Identifier): TV {
  const decl = declOf(L, node);
  if (!decl) {
    return ZERO_TV; // TypeScript reports unknown names (and check.ts library names, `undefined`)
  }
  const e = L.entities.get(decl);
  if (!e) {
    const name = node.text;
    if (decl.getSourceFile().isDeclarationFile && name in BUILTIN_CONSTS) return { t: INT_TYPES.u32, v: W(BUILTIN_CONSTS[name]) };
    if (decl.getSourceFile().isDeclarationFile) {
      L.error(C.NOT_CALLABLE, `'${name}' is an intrinsic: call it`, node);
      return ZERO_TV;
    }
    return ZERO_TV; // declared by a construct check.ts refused (nested function, destructuring ...)
  }
  switch (e.kind) {
    case 'local':
      if (e.aggregate) return aggregateValue(e.type, e.addr);
      return { t: e.type, v: load(L, e.addr, slotSize(clsOf(e.type)), false, clsOf(e.type)) };
    case 'global': {
      const addr: Value = { kind: 'sym', name: e.sym, addend: 0n };
      if (isAggregate(e.type)) return aggregateValue(e.type, addr);
      const { width, signed } = memAccess(e.type);
      if (e.type.kind === 'error') return ZERO_TV;
      return { t: e.type, v: load(L, addr, width, signed, clsOf(e.type)) };
    }
    case 'const': {
      const tv = constValue(L, e);
      return tv ?? ZERO_TV;
    }
    case 'func':
      if (e.struct) break;
      if (e.generic) {
        L.error(C.GENERIC, `generic function '${node.text}' must be called: it has no address of its own (wrap one instance in a function)`, node);
        return ZERO_TV;
      }
      return { t: e.type, v: { kind: 'sym', name: e.sym, addend: 0n } };
    case 'class':
    case 'enum':
      break;
  }
  L.error(C.TYPE_MISMATCH, `'${node.text}' is not a value`, node);
  return ZERO_TV;
}

function thisValue(L: Lowerer, node: ts.Node): TV {
  const decl = L.fn?.decl;
  if (!decl || !L.fn?.struct) {
    L.error(C.UNKNOWN_NAME, '`this` is only available in methods and constructors', node);
    return ZERO_TV;
  }
  return loadLocal(L, thisKey(decl));
}

function prefixUnary(L: Lowerer, node: ts.PrefixUnaryExpression, want: Type | undefined): TV {
  const op = node.operator;
  if (op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken) {
    return incDec(L, node.operand, op === ts.SyntaxKind.PlusPlusToken ? 'add' : 'sub', false, node);
  }
  if (op === ts.SyntaxKind.ExclamationToken) {
    const v = condValue(L, node.operand);
    return { t: BOOL, v: cmp(L, 'eq', 'w', v, W(0n)) };
  }
  const operand = skipParens(node.operand);
  if (op === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(operand)) return numericLiteral(L, operand, -1n, want, node);
  const tv = expr(L, node.operand, want);
  if (tv.t.kind === 'error') return tv;
  if (!isInt(tv.t)) {
    L.error(C.BAD_OPERAND, `operator '${ts.tokenToString(op)}' needs an integer, not ${typeName(tv.t)}`, node);
    return ZERO_TV;
  }
  if (op === ts.SyntaxKind.PlusToken) return tv;
  const un = op === ts.SyntaxKind.MinusToken ? 'neg' : 'not';
  return { t: tv.t, v: wrap(L, unop(L, un, clsOf(tv.t), tv.v), tv.t) };
}

/** ++ and --: read, add or subtract one, write back; the value is the old one for postfix. */
function incDec(L: Lowerer, target: ts.Expression, bin: 'add' | 'sub', wantOld: boolean, node: ts.Node): TV {
  const lv = lvalue(L, target);
  if (!lv) return ZERO_TV;
  if (!isInt(lv.t)) {
    if (lv.t.kind !== 'error') L.error(C.BAD_OPERAND, `'++'/'--' need an integer, not ${typeName(lv.t)}`, node);
    return ZERO_TV;
  }
  const old = readLValue(L, lv);
  const cls = clsOf(lv.t);
  const nv = wrap(L, binop(L, bin, cls, old.v, konst(1n, cls)), lv.t);
  writeLValue(L, lv, nv);
  return { t: lv.t, v: wantOld ? old.v : nv };
}

function binary(L: Lowerer, node: ts.BinaryExpression, want: Type | undefined): TV {
  const k = node.operatorToken.kind;
  if (k === S.EqualsToken) {
    const set = setterAssign(L, node) ?? sliceAssign(L, node);
    if (set) return set;
    const lv = lvalue(L, node.left);
    if (!lv) {
      expr(L, node.right);
      return ZERO_TV;
    }
    const v = exprAs(L, node.right, lv.t);
    writeLValue(L, lv, v);
    return { t: lv.t, v };
  }
  const compound = COMPOUND[k];
  if (compound !== undefined) return compoundAssign(L, node, compound);
  if (k === S.AmpersandAmpersandToken || k === S.BarBarToken) return boolValue(L, node);
  if (k === S.QuestionQuestionToken) return nullish(L, node, want);
  if (k === S.QuestionQuestionEqualsToken) return nullishAssign(L, node);
  if (k === S.CommaToken || k === S.InstanceOfKeyword || k === S.InKeyword || k === S.AsteriskAsteriskToken) {
    return ZERO_TV; // refused by check.ts
  }
  const cmp = CMP_OPS[k];
  if (cmp) return comparison(L, node, cmp);
  const arith = ARITH_OPS[k];
  if (!arith) {
    L.error(C.BAD_OPERAND, `operator '${node.operatorToken.getText()}' is not supported`, node.operatorToken);
    return ZERO_TV;
  }
  if (isShift(arith)) {
    const l = expr(L, node.left, want);
    const r = expr(L, node.right);
    return shift(L, arith, l, r, node);
  }
  const [l, r] = operands(L, node.left, node.right, want);
  if (k === S.PlusToken && (l.t.kind === 'string' || r.t.kind === 'string')) {
    L.error(C.STRING_CONCAT, 'string concatenation is not supported: pass a template literal to a fmt parameter', node);
    return ZERO_TV;
  }
  const t = unify(L, l, r, node, node.operatorToken.getText());
  if (!t) return ZERO_TV;
  return { t, v: arithmetic(L, arith, t, convert(L, l, t), convert(L, r, t)) };
}

/** `s = t` for a named slice: a copy of `t`'s descriptor into `s`'s own. */
function sliceAssign(L: Lowerer, node: ts.BinaryExpression): TV | null {
  const left = skipParens(node.left);
  if (!ts.isIdentifier(left)) return null;
  const d = declOf(L, left);
  const e = d && L.entities.get(d);
  if (e?.kind !== 'local' || e.type.kind !== 'slice') return null;
  const v = exprAs(L, node.right, e.type);
  copySlice(L, e.addr, v);
  return { t: e.type, v: e.addr };
}

/** `obj.p = v` where `p` is an accessor: a call of its setter; the expression's value is `v`. */
function setterAssign(L: Lowerer, node: ts.BinaryExpression): TV | null {
  const left = skipParens(node.left);
  if (!ts.isPropertyAccessExpression(left)) return null;
  const d = declOf(L, left.name);
  if (!d || !(ts.isSetAccessorDeclaration(d) || ts.isGetAccessorDeclaration(d))) return null;
  const obj = expr(L, left.expression);
  if (obj.t.kind !== 'ref') return ZERO_TV;
  const setter = findMethod(L, obj.t.struct, `set ${left.name.text}`);
  if (!setter) {
    L.error(C.NOT_ASSIGNABLE, `'${left.name.text}' has a getter and no setter`, left);
    return ZERO_TV;
  }
  const t = setter.params[1]?.type ?? ERROR;
  const v = exprAs(L, node.right, t);
  accessorCall(L, obj, obj.t.struct, `set ${left.name.text}`, () => [v]);
  return { t, v };
}

/** Types both operands of a binary operator; a literal operand takes the other operand's type. */
function operands(L: Lowerer, left: ts.Expression, right: ts.Expression, want: Type | undefined): [TV, TV] {
  const ll = isLiteralish(left);
  const rl = isLiteralish(right);
  if (ll && !rl) {
    const r = expr(L, right, want);
    const l = expr(L, left, isInt(r.t) ? r.t : want);
    return [l, r];
  }
  const l = expr(L, left, want);
  const r = expr(L, right, !ll && rl && isInt(l.t) ? l.t : want);
  return [l, r];
}

/** The common integer type of two operands: implicit widening only. */
function unify(L: Lowerer, l: TV, r: TV, node: ts.Node, op: string): IntType | null {
  if (l.t.kind === 'error' || r.t.kind === 'error') return null;
  if (!isInt(l.t) || !isInt(r.t)) {
    const bad = isInt(l.t) ? r.t : l.t;
    L.error(C.BAD_OPERAND, `operator '${op}' needs integers, not ${typeName(bad)}`, node);
    return null;
  }
  const t = unifyInts(l.t, r.t);
  if (!t) {
    L.error(C.MIXED_SIGNEDNESS, `cannot mix ${l.t.name} and ${r.t.name}: convert one explicitly, e.g. ${r.t.name}(x) or ${l.t.name}(y)`, node);
    return null;
  }
  return t;
}

function arithmetic(L: Lowerer, op: string, t: IntType, a: Value, b: Value): Value {
  const cls = clsOf(t);
  const bin: BinOp =
    op === 'div' ? (t.signed ? 'sdiv' : 'udiv') : op === 'rem' ? (t.signed ? 'srem' : 'urem') : (op as BinOp);
  return wrap(L, binop(L, bin, cls, a, b), t);
}

function shift(L: Lowerer, op: string, l: TV, r: TV, node: ts.BinaryExpression): TV {
  if (l.t.kind === 'error' || r.t.kind === 'error') return ZERO_TV;
  if (!isInt(l.t) || !isInt(r.t)) {
    L.error(C.BAD_OPERAND, `operator '${node.operatorToken.getText()}' needs integers, not ${typeName(isInt(l.t) ? r.t : l.t)}`, node);
    return ZERO_TV;
  }
  const t = l.t;
  const cls = clsOf(t);
  const count = convert(L, r, cls === 'l' ? U64 : INT_TYPES.u32);
  // Narrow values shift as their sign- or zero-extended 32-bit selves, as in JavaScript (and C's
  // promotion to int); the result then wraps to the operand's type.
  const bin: BinOp = op === 'shl' ? 'shl' : op === 'ushr' ? 'shr' : t.signed ? 'sar' : 'shr';
  return { t, v: wrap(L, binop(L, bin, cls, l.v, count), t) };
}

function comparison(L: Lowerer, node: ts.BinaryExpression, op: CmpOp): TV {
  const [l, r] = operands(L, node.left, node.right, undefined);
  if (l.t.kind === 'error' || r.t.kind === 'error') return { t: BOOL, v: W(0n) };
  const isEq = op === 'eq' || op === 'ne';
  if (isInt(l.t) && isInt(r.t)) {
    const t = unify(L, l, r, node, node.operatorToken.getText());
    if (!t) return { t: BOOL, v: W(0n) };
    return { t: BOOL, v: compare(L, op, t, convert(L, l, t), convert(L, r, t)) };
  }
  if (isEq && l.t.kind === 'bool' && r.t.kind === 'bool') return { t: BOOL, v: cmp(L, op, 'w', l.v, r.v) };
  if (isEq && l.t.kind === 'string' && r.t.kind === 'string') {
    L.error(C.STRING_COMPARE, 'strings cannot be compared with == (it would compare addresses): compare the bytes with memcmp', node);
    return { t: BOOL, v: W(0n) };
  }
  if (isEq && isRefLike(l.t) && isRefLike(r.t) && (l.t.kind === 'null' || r.t.kind === 'null' || sameType(l.t, r.t) || related(l.t, r.t))) {
    return { t: BOOL, v: cmp(L, op, 'l', l.v, r.v) };
  }
  L.error(C.BAD_OPERAND, `cannot compare ${typeName(l.t)} with ${typeName(r.t)}${isEq ? '' : ' (ordering needs integers)'}`, node);
  return { t: BOOL, v: W(0n) };
}

export function compare(L: Lowerer, op: CmpOp, t: Type, a: Value, b: Value): Value {
  let real = op;
  if (isInt(t) && !t.signed) real = ({ slt: 'ult', sle: 'ule', sgt: 'ugt', sge: 'uge' } as Record<string, CmpOp>)[op] ?? op;
  return cmp(L, real, clsOf(t), a, b);
}

function compoundAssign(L: Lowerer, node: ts.BinaryExpression, op: string): TV {
  const lv = lvalue(L, node.left);
  if (!lv) {
    expr(L, node.right);
    return ZERO_TV;
  }
  const old = readLValue(L, lv);
  const r = expr(L, node.right, isInt(lv.t) ? lv.t : undefined);
  let result: TV;
  if (isShift(op)) {
    result = shift(L, op, old, r, node);
  } else {
    if (lv.t.kind === 'string' || r.t.kind === 'string') {
      L.error(C.STRING_CONCAT, 'string concatenation is not supported: pass a template literal to a fmt parameter', node);
      return ZERO_TV;
    }
    const t = unify(L, old, r, node, node.operatorToken.getText());
    if (!t) return ZERO_TV;
    if (!sameType(t, lv.t)) {
      L.error(C.NARROWING, `'${node.operatorToken.getText()}' would narrow ${typeName(t)} to ${typeName(lv.t)}: convert explicitly, e.g. ${typeName(lv.t)}(x)`, node.right);
      return ZERO_TV;
    }
    result = { t, v: arithmetic(L, op, t, old.v, convert(L, r, t)) };
  }
  if (result.t.kind !== 'error') writeLValue(L, lv, result.v);
  return result;
}

/** `a && b`, `a || b` (and `!`) used as values: a bool through a temporary slot. */
function boolValue(L: Lowerer, node: ts.Expression): TV {
  const b = L.b;
  const slot = b.alloca(4, 4);
  const t = b.newBlock();
  const f = b.newBlock();
  const end = b.newBlock();
  cond(L, node, t, f);
  for (const [blk, v] of [[t, 1n], [f, 0n]] as const) {
    b.setBlock(blk);
    b.emit({ op: 'store', addr: slot, value: W(v), width: 4 });
    b.jmp(end);
  }
  b.setBlock(end);
  return { t: BOOL, v: load(L, slot, 4, false, 'w') };
}

function conditional(L: Lowerer, node: ts.ConditionalExpression, want: Type | undefined): TV {
  const b = L.b;
  const thenB = b.newBlock();
  const elseB = b.newBlock();
  const end = b.newBlock();
  cond(L, node.condition, thenB, elseB);
  const wl = isLiteralish(node.whenTrue), wr = isLiteralish(node.whenFalse);
  const order: ['t' | 'f', Block, ts.Expression][] = wl && !wr
    ? [['f', elseB, node.whenFalse], ['t', thenB, node.whenTrue]]
    : [['t', thenB, node.whenTrue], ['f', elseB, node.whenFalse]];
  const res: Record<string, { tv: TV; blk: Block }> = {};
  let first: Type | undefined;
  for (const [k, blk, e] of order) {
    b.setBlock(blk);
    const ctx = first && (isInt(first) || isRefLike(first)) && (wl !== wr) ? first : want;
    const tv = expr(L, e, ctx);
    first ??= tv.t;
    res[k] = { tv, blk: b.cur };
  }
  const lt = res.t.tv, rt = res.f.tv;
  let t: Type | null = null;
  if (lt.t.kind === 'error' || rt.t.kind === 'error') t = ERROR;
  else if (isInt(lt.t) && isInt(rt.t)) t = unify(L, lt, rt, node, '?:');
  else if (sameType(lt.t, rt.t)) t = lt.t;
  else if (lt.t.kind === 'null' && isRefLike(rt.t)) t = rt.t;
  else if (rt.t.kind === 'null' && isRefLike(lt.t)) t = lt.t;
  else if (lt.t.kind === 'ref' && rt.t.kind === 'ref' && isSubtype(rt.t.struct, lt.t.struct)) t = lt.t; // a subclass and its base: the base
  else if (lt.t.kind === 'ref' && rt.t.kind === 'ref' && isSubtype(lt.t.struct, rt.t.struct)) t = rt.t;
  else if (want?.kind === 'ref' && lt.t.kind === 'ref' && rt.t.kind === 'ref' && isSubtype(lt.t.struct, want.struct) && isSubtype(rt.t.struct, want.struct)) t = want; // two subclasses, as their base
  else L.error(C.TYPE_MISMATCH, `the branches of '?:' have different types: ${typeName(lt.t)} and ${typeName(rt.t)}`, node);
  if (!t || t.kind === 'error' || t.kind === 'void') {
    for (const r of [res.t, res.f]) {
      b.setBlock(r.blk);
      b.jmp(end);
    }
    b.setBlock(end);
    return ZERO_TV;
  }
  const cls = clsOf(t);
  const slot = b.alloca(slotSize(cls), slotSize(cls));
  for (const r of [res.t, res.f]) {
    b.setBlock(r.blk);
    b.emit({ op: 'store', addr: slot, value: convert(L, r.tv, t), width: slotSize(cls) });
    b.jmp(end);
  }
  b.setBlock(end);
  return { t, v: load(L, slot, slotSize(cls), false, cls) };
}

// ---- places: variables, fields, elements ----

export function lvalue(L: Lowerer, node: ts.Expression): LValue | null {
  node = skipParens(node);
  if (ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node)) return null; // destructuring, refused
  if (ts.isNonNullExpression(node)) return lvalue(L, node.expression);
  if (ts.isIdentifier(node)) {
    const decl = declOf(L, node);
    const e = decl && L.entities.get(decl);
    if (e?.kind === 'local' && !e.aggregate) {
      return { t: e.type, addr: e.addr, width: slotSize(clsOf(e.type)), signed: false };
    }
    if (e?.kind === 'global' && !isAggregate(e.type)) {
      if (e.type.kind === 'error') return null;
      return { t: e.type, addr: { kind: 'sym', name: e.sym, addend: 0n }, ...memAccess(e.type), readonly: e.constant };
    }
    if (!decl) return null;
    L.error(C.NOT_ASSIGNABLE, `'${node.text}' cannot be assigned`, node);
    return null;
  }
  if (ts.isPropertyAccessExpression(node)) {
    const obj = expr(L, node.expression);
    if (obj.t.kind === 'error') return null;
    if (obj.t.kind !== 'ref') {
      L.error(C.NOT_ASSIGNABLE, `'${node.getText()}' cannot be assigned`, node);
      return null;
    }
    const field = obj.t.struct.fieldMap.get(node.name.text);
    if (!field && findMethod(L, obj.t.struct, `set ${node.name.text}`)) {
      L.error(C.ACCESSOR, `'${node.name.text}' is an accessor: only '=' calls its setter; write 'x.${node.name.text} = x.${node.name.text} + 1'`, node);
      return null;
    }
    if (!field) {
      L.error(C.UNKNOWN_FIELD, `'${obj.t.struct.name}' has no field '${node.name.text}'`, node.name);
      return null;
    }
    if (isAggregate(field.type)) {
      L.error(C.NOT_ASSIGNABLE, `inline field '${node.name.text}' cannot be assigned as a whole: copy it with memcpy`, node);
      return null;
    }
    return { t: field.type, addr: addOffset(L, obj.v, BigInt(field.offset)), ...memAccess(field.type) };
  }
  if (ts.isElementAccessExpression(node)) {
    const base = expr(L, node.expression);
    if (base.t.kind === 'error') return null;
    if (base.t.kind !== 'array' && base.t.kind !== 'table' && base.t.kind !== 'slice') {
      if (!ts.isStringLiteral(node.argumentExpression)) {
        L.error(C.BAD_INDEX, `${typeName(base.t)} cannot be indexed: only InlineArray, tables and slices can`, node);
      }
      return null;
    }
    const elem = base.t.elem;
    const idx = expr(L, node.argumentExpression);
    if (idx.t.kind === 'error') return null;
    if (!isInt(idx.t)) {
      L.error(C.BAD_INDEX, `an index must be an integer, not ${typeName(idx.t)}`, node.argumentExpression);
      return null;
    }
    const i64 = convert(L, idx, idx.t.signed ? I64 : U64);
    const isSlice = base.t.kind === 'slice';
    if (isSlice) checkIndexAgainst(L, i64, sliceLength(L, base.v), node);
    else if (base.t.kind !== 'slice' && !checkIndex(L, i64, base.t.length, node)) return null;
    const size = BigInt(sizeOf(elem));
    const off = binop(L, 'mul', 'l', i64, konst(size, 'l'));
    const addr = binop(L, 'add', 'l', isSlice ? slicePtr(L, base.v) : base.v, off);
    if (elem.kind === 'error') return null;
    return { t: elem, addr, ...memAccess(elem), readonly: base.t.kind === 'table' };
  }
  L.error(C.NOT_ASSIGNABLE, `'${node.getText()}' cannot be assigned`, node);
  return null;
}

export function readLValue(L: Lowerer, lv: LValue): TV {
  if (isAggregate(lv.t)) return aggregateValue(lv.t, lv.addr); // an inline struct or array element: its address
  return { t: lv.t, v: load(L, lv.addr, lv.width, lv.signed, clsOf(lv.t)) };
}

export function writeLValue(L: Lowerer, lv: LValue, v: Value): void {
  L.b.emit({ op: 'store', addr: lv.addr, value: v, width: lv.width });
}

function propertyAccess(L: Lowerer, node: ts.PropertyAccessExpression): TV {
  const name = node.name.text;
  // Enum members and static readonly constants.
  if (ts.isIdentifier(node.expression)) {
    const decl = declOf(L, node.expression);
    const e = decl && L.entities.get(decl);
    if (e?.kind === 'enum') {
      const v = e.members.get(name);
      if (v === undefined) return ZERO_TV; // TypeScript reports it
      return { t: I32, v: W(v) };
    }
    if (e?.kind === 'class') return staticConst(L, e, name, node);
  }
  if (!checkChain(L, node)) return ZERO_TV;
  const dflt = chainDefault(L, node);
  const obj = expr(L, node.expression);
  if (node.questionDotToken && obj.t.kind !== 'error') return optional(L, node, obj, (o) => memberOf(L, node, o), dflt);
  return memberOf(L, node, obj);
}

/** `obj.name` once `obj` is known: a field, a length. */
function memberOf(L: Lowerer, node: ts.PropertyAccessExpression, obj: TV): TV {
  const name = node.name.text;
  const t = obj.t;
  if (t.kind === 'error') return ZERO_TV;
  if (name === 'length' && (t.kind === 'array' || t.kind === 'table')) return { t: I32, v: W(BigInt(t.length)) };
  if (t.kind === 'slice' && (name === 'length' || name === 'ptr')) return { t: USIZE, v: name === 'ptr' ? slicePtr(L, obj.v) : sliceLength(L, obj.v) };
  if (name === 'length' && t.kind === 'string') {
    return { t: I32, v: load(L, addOffset(L, obj.v, -8n), 4, true, 'w') };
  }
  if (t.kind === 'ref') {
    const field = t.struct.fieldMap.get(name);
    const getter = !field && accessorCall(L, obj, t.struct, `get ${name}`, () => []);
    if (getter) return getter;
    if (field) {
      const addr = addOffset(L, obj.v, BigInt(field.offset));
      if (isAggregate(field.type)) return aggregateValue(field.type, addr);
      const { width, signed } = memAccess(field.type);
      return { t: field.type, v: load(L, addr, width, signed, clsOf(field.type)) };
    }
    if (findMethod(L, t.struct, name)) {
      L.error(C.NOT_CALLABLE, `method '${name}' must be called: methods are not values`, node);
      return ZERO_TV;
    }
    L.error(C.UNKNOWN_FIELD, `'${t.struct.name}' has no field '${name}'`, node.name);
    return ZERO_TV;
  }
  L.error(C.UNKNOWN_FIELD, `${typeName(t)} has no property '${name}'`, node.name);
  return ZERO_TV;
}

function staticConst(L: Lowerer, e: StructEntity, name: string, node: ts.Node): TV {
  const decl = e.statics.get(name);
  if (!decl) {
    L.error(C.UNKNOWN_FIELD, `'${e.info.name}' has no static constant '${name}'`, node);
    return ZERO_TV;
  }
  if (!e.staticValues.has(name)) {
    e.staticValues.set(name, null);
    const t = decl.type ? resolveType(L, decl.type) : undefined;
    const tv = decl.initializer ? constExpr(L, decl.initializer, t) : null;
    if (tv && !isInt(tv.t) && tv.t.kind !== 'bool') {
      L.error(C.STATIC, 'static members must be integer constants', decl);
      e.staticValues.set(name, null);
    } else e.staticValues.set(name, tv);
  }
  return e.staticValues.get(name) ?? ZERO_TV;
}

// ---- calls ----

function call(L: Lowerer, node: ts.CallExpression): TV {
  const callee = skipParens(node.expression);
  if (callee.kind === S.SuperKeyword) return superCall(L, node, () => fieldInitialisers(L, L.fn!));
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === S.SuperKeyword) return superMethodCall(L, callee.name.text, node);
  if (ts.isIdentifier(callee)) {
    const decl = declOf(L, callee);
    if (decl && decl.getSourceFile().isDeclarationFile) return intrinsic(L, callee.text, node);
    const e = decl && L.entities.get(decl);
    if (e?.kind === 'func') return e.generic ? callGeneric(L, e, node, []) : directCall(L, e, node.arguments, []);
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const name = callee.name.text;
    if (ts.isIdentifier(callee.expression)) {
      const decl = declOf(L, callee.expression);
      const e = decl && L.entities.get(decl);
      if (e?.kind === 'class') {
        const sm = e.staticMethods.get(name);
        if (sm) return sm.generic ? callGeneric(L, sm, node, []) : directCall(L, sm, node.arguments, []);
        L.error(C.STATIC, `'${e.info.name}' has no static method '${name}'`, callee);
        return ZERO_TV;
      }
    }
    if (!checkChain(L, node)) return ZERO_TV;
    const dflt = chainDefault(L, node);
    const obj = expr(L, callee.expression);
    if (obj.t.kind === 'error') return ZERO_TV;
    if (callee.questionDotToken) return optional(L, node, obj, (o) => methodCallOn(L, node, callee, o), dflt);
    return methodCallOn(L, node, callee, obj);
  }
  const fv = expr(L, callee);
  return indirectCall(L, fv, node);
}

/** `obj.name(args)` once `obj` is known: string intrinsics, methods, function-typed fields. */
function methodCallOn(L: Lowerer, node: ts.CallExpression, callee: ts.PropertyAccessExpression, obj: TV): TV {
  const name = callee.name.text;
  {
    if (obj.t.kind === 'string' && name === 'charCodeAt' && node.arguments.length === 1) {
      const idx = expr(L, node.arguments[0]);
      if (!isInt(idx.t)) {
        if (idx.t.kind !== 'error') L.error(C.BAD_INDEX, `an index must be an integer, not ${typeName(idx.t)}`, node.arguments[0]);
        return ZERO_TV;
      }
      const addr = binop(L, 'add', 'l', obj.v, convert(L, idx, idx.t.signed ? I64 : U64));
      return { t: U8, v: load(L, addr, 1, false, 'w') };
    }
    if (obj.t.kind === 'ref') {
      const ent = structEntity(L, obj.t.struct);
      const m = ent?.methods.get(name);
      if (m?.generic) return callGeneric(L, m, node, [obj.v]);
      const r = methodCall(L, obj, obj.t.struct, name, node);
      if (r) return r;
      const field = obj.t.struct.fieldMap.get(name);
      if (field?.type.kind === 'func') {
        const fv = load(L, addOffset(L, obj.v, BigInt(field.offset)), 8, false, 'l');
        return indirectCall(L, { t: field.type, v: fv }, node);
      }
      L.error(C.UNKNOWN_FIELD, `'${obj.t.struct.name}' has no method '${name}'`, callee.name);
      return ZERO_TV;
    }
    L.error(C.NOT_CALLABLE, `${typeName(obj.t)} has no method '${name}'`, callee.name);
    return ZERO_TV;
  }
}

/** The arguments of a call of `f` (after `self` leading ones): those written, then the defaults of the rest. */
export function callArgs(L: Lowerer, f: FuncInfo, args: readonly ts.Expression[], self: number): Value[] {
  const ps = f.params.slice(self);
  const vals = argValues(L, ps.map((p) => p.type), args);
  for (let i = args.length; i < ps.length; i++) vals.push(ps[i].dflt ?? konst(0n, clsOf(ps[i].type)));
  return vals;
}

export function argValues(L: Lowerer, params: Type[], args: readonly ts.Expression[]): Value[] {
  return args.map((a, i) => (i < params.length ? exprAs(L, a, params[i]) : expr(L, a).v));
}

function directCall(L: Lowerer, f: FuncInfo, args: readonly ts.Expression[], self: Value[]): TV {
  const params = f.params.slice(self.length).map((p) => p.type);
  const vals = [...self, ...callArgs(L, f, args, self.length)];
  return emitCall(L, { kind: 'sym', name: f.sym, addend: 0n }, vals, f.ret);
}

function callGeneric(L: Lowerer, tmpl: FuncInfo, node: ts.CallExpression, self: Value[]): TV {
  const c = genericCall(L, tmpl, node, self);
  if (!c) return ZERO_TV;
  return emitCall(L, { kind: 'sym', name: c.f.sym, addend: 0n }, c.args, c.f.ret);
}

function indirectCall(L: Lowerer, fv: TV, node: ts.CallExpression): TV {
  if (fv.t.kind === 'error') {
    for (const a of node.arguments) expr(L, a);
    return ZERO_TV;
  }
  if (fv.t.kind !== 'func') {
    L.error(C.NOT_CALLABLE, `${typeName(fv.t)} is not a function`, node.expression);
    return ZERO_TV;
  }
  if (node.arguments.length < fv.t.params.length) {
    // A function with default parameters, called through its address: the defaults are the caller's to pass.
    L.error(C.OPTIONAL_PARAM, `a call through a function value passes every argument: ${fv.t.params.length} expected`, node);
    return ZERO_TV;
  }
  return emitCall(L, fv.v, argValues(L, fv.t.params, node.arguments), fv.t.ret);
}

export function emitCall(L: Lowerer, callee: Value, args: Value[], ret: Type): TV {
  if (ret.kind === 'void' || ret.kind === 'never' || ret.kind === 'error') {
    L.b.emit({ op: 'call', callee, args });
    if (ret.kind === 'never') L.b.term({ op: 'unreachable' });
    return { t: ret.kind === 'error' ? ERROR : VOID, v: W(0n) };
  }
  const cls = clsOf(ret);
  const dst = L.b.vreg();
  L.b.emit({ op: 'call', callee, args, dst, cls });
  return { t: ret, v: { kind: 'vreg', id: dst, cls } };
}

/** A `fmt` argument: a descriptor on the stack (count, then {kind, value} pairs), or passed through. */
export function fmtArg(L: Lowerer, node: ts.Expression): Value {
  const items: { kind: bigint; value: Value }[] = [];
  const str = (text: string) => items.push({ kind: 0n, value: { kind: 'sym', name: stringSym(L, text), addend: 8n } });
  const inner = skipParens(node);
  if (ts.isTemplateExpression(inner)) {
    if (inner.head.text) str(inner.head.text);
    for (const span of inner.templateSpans) {
      const hole = fmtHole(L, span.expression);
      if (hole) items.push(hole);
      if (span.literal.text) str(span.literal.text);
    }
  } else {
    const tv = expr(L, node);
    if (tv.t.kind === 'fmt' || tv.t.kind === 'error') return tv.v;
    if (tv.t.kind !== 'string') {
      L.error(C.TYPE_MISMATCH, `a fmt parameter takes a string or a template literal, not ${typeName(tv.t)}`, node);
      return konst(0n, 'l');
    }
    items.push({ kind: 0n, value: tv.v });
  }
  const b = L.b;
  const desc = b.alloca(8 + 16 * items.length, 8);
  b.emit({ op: 'store', addr: desc, value: konst(BigInt(items.length), 'l'), width: 8 });
  items.forEach((it, i) => {
    b.emit({ op: 'store', addr: addOffset(L, desc, BigInt(8 + 16 * i)), value: konst(it.kind, 'l'), width: 8 });
    b.emit({ op: 'store', addr: addOffset(L, desc, BigInt(16 + 16 * i)), value: it.value, width: 8 });
  });
  return desc;
}

function fmtHole(L: Lowerer, e: ts.Expression): { kind: bigint; value: Value } | null {
  const inner = skipParens(e);
  if (ts.isCallExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === 'hex' && inner.arguments.length === 1 &&
      declOf(L, inner.expression)?.getSourceFile().isDeclarationFile) {
    const tv = expr(L, inner.arguments[0]);
    if (tv.t.kind === 'error') return null;
    if (!isInt(tv.t) && tv.t.kind !== 'bool' && tv.t.kind !== 'ref') {
      L.error(C.FMT_HOLE, `hex() needs an integer, not ${typeName(tv.t)}`, inner.arguments[0]);
      return null;
    }
    // Hex shows the bits of the value's own width: zero-extend through the unsigned type of that width.
    const ut = isInt(tv.t) ? INT_TYPES[`u${tv.t.size * 8}`] : U64;
    return { kind: 3n, value: convert(L, { t: ut, v: convert(L, tv, ut) }, U64) };
  }
  const tv = expr(L, e);
  const t = tv.t;
  if (t.kind === 'error') return null;
  if (t.kind === 'string') return { kind: 0n, value: tv.v };
  if (isInt(t) && t.signed) return { kind: 1n, value: convert(L, tv, I64) };
  if (isInt(t) || t.kind === 'bool') return { kind: 2n, value: convert(L, tv, U64) };
  L.error(C.FMT_HOLE, `cannot format ${typeName(t)} in a template: use an integer, a bool or a string`, e);
  return null;
}

function newExpr(L: Lowerer, node: ts.NewExpression, want: Type | undefined): TV {
  const decl = declOf(L, node.expression);
  let e = decl && L.entities.get(decl);
  if (!e || e.kind !== 'class') {
    if (decl) L.error(C.NOT_CALLABLE, `'new' needs a class of this program`, node.expression);
    return ZERO_TV;
  }
  if (e.generic) {
    const args = newTypeArgs(L, e, node, want);
    const inst = args && instantiateClass(L, e, args, node);
    if (!inst) return ZERO_TV;
    e = inst;
  }
  if (e.info.isInterface || hasModifier(e.decl, S.AbstractKeyword)) {
    L.error(C.INHERITANCE, `'${e.info.name}' is ${e.info.isInterface ? 'an interface' : 'abstract'}: create an object of a class that implements it`, node);
    return ZERO_TV;
  }
  const alloc = allocHook(L, '__alloc', node);
  const t: Type = { kind: 'ref', struct: e.info };
  const size = konst(BigInt(Math.max(e.info.size, 1)), 'l');
  const obj = emitCall(L, { kind: 'sym', name: alloc, addend: 0n }, [size], USIZE);
  if (e.info.poly) L.b.emit({ op: 'store', addr: obj.v, value: vtableSym(e.info), width: 8 });
  if (e.ctor) directCall(L, e.ctor, node.arguments ?? [], [obj.v]);
  return { t, v: obj.v };
}

/** __alloc / __free: the program's exported allocator hooks. */
export function allocHook(L: Lowerer, name: string, node: ts.Node): string {
  if (L.funcSyms.has(name)) return name;
  L.error(C.NO_ALLOCATOR, `'${node.getText().split('(')[0]}' needs the program to export a function '${name}'`, node);
  return name;
}

// ---- helpers ----

const COMPOUND: Partial<Record<ts.SyntaxKind, string>> = {
  [S.PlusEqualsToken]: 'add', [S.MinusEqualsToken]: 'sub', [S.AsteriskEqualsToken]: 'mul', [S.SlashEqualsToken]: 'div',
  [S.PercentEqualsToken]: 'rem', [S.AmpersandEqualsToken]: 'and', [S.BarEqualsToken]: 'or', [S.CaretEqualsToken]: 'xor',
  [S.LessThanLessThanEqualsToken]: 'shl', [S.GreaterThanGreaterThanEqualsToken]: 'sar', [S.GreaterThanGreaterThanGreaterThanEqualsToken]: 'ushr',
};

const CMP_OPS: Partial<Record<ts.SyntaxKind, CmpOp>> = {
  [S.EqualsEqualsToken]: 'eq', [S.EqualsEqualsEqualsToken]: 'eq', [S.ExclamationEqualsToken]: 'ne', [S.ExclamationEqualsEqualsToken]: 'ne',
  [S.LessThanToken]: 'slt', [S.LessThanEqualsToken]: 'sle', [S.GreaterThanToken]: 'sgt', [S.GreaterThanEqualsToken]: 'sge',
};

/** The shift operators: their count is not unified with the value's type. */
function isShift(op: string): boolean {
  return op === 'shl' || op === 'sar' || op === 'ushr';
}

/** Storage held by value is used through its address: an Inline<T> as a reference to T. */
function aggregateValue(t: Type, addr: Value): TV {
  return { t: t.kind === 'inline' ? { kind: 'ref', struct: t.struct } : t, v: addr };
}

function isRefusedExpression(node: ts.Node): boolean {
  return [S.ObjectLiteralExpression, S.ArrayLiteralExpression, S.AsExpression,
    S.TypeAssertionExpression, S.TypeOfExpression, S.DeleteExpression, S.VoidExpression, S.AwaitExpression, S.YieldExpression,
    S.RegularExpressionLiteral, S.BigIntLiteral, S.SpreadElement, S.ClassExpression, S.TaggedTemplateExpression,
    S.SatisfiesExpression, S.MetaProperty].includes(node.kind);
}
