// Lowering of statements and conditions (see lower.ts): blocks, locals, if/while/do/for/switch,
// break/continue with labels, return; conditions as branches.

import type { Block, Value } from '../ir/ir.js';
import { ts, nodeLoc } from './program.js';
import { CODES as C } from './check.js';
import { type Type, I32, VOID, ERROR, clsOf, sizeOf, alignOf, isAggregate, memAccess, typeName, isInt } from './types.js';
import { type Lowerer, type TV, binop, cmp, isRefLike, load, skipParens, slotSize } from './lower.js';
import { W, konst } from '../ir/builder.js';
import { compare, expr } from './expr.js';
import { coerce, exprAs } from './intrinsics.js';
import { resolveType } from './decls.js';
import { setDebugType } from './debugtypes.js';
import { copySlice, newSlice, sliceLength, slicePtr } from './slices.js';

// ---- statements ----

export function block(L: Lowerer, node: ts.Block): void {
  for (const s of node.statements) stmt(L, s);
}

export function stmt(L: Lowerer, s: ts.Statement): void {
  L.b.loc = nodeLoc(s);
  const label = L.pendingLabel;
  L.pendingLabel = undefined;
  switch (s.kind) {
    case ts.SyntaxKind.Block:
      return block(L, s as ts.Block);
    case ts.SyntaxKind.EmptyStatement:
      return;
    case ts.SyntaxKind.VariableStatement:
      for (const d of (s as ts.VariableStatement).declarationList.declarations) localVar(L, d);
      return;
    case ts.SyntaxKind.ExpressionStatement:
      expr(L, (s as ts.ExpressionStatement).expression, undefined, true);
      return;
    case ts.SyntaxKind.IfStatement:
      return ifStmt(L, s as ts.IfStatement);
    case ts.SyntaxKind.WhileStatement:
      return whileStmt(L, s as ts.WhileStatement, label);
    case ts.SyntaxKind.DoStatement:
      return doStmt(L, s as ts.DoStatement, label);
    case ts.SyntaxKind.ForStatement:
      return forStmt(L, s as ts.ForStatement, label);
    case ts.SyntaxKind.ForOfStatement:
      return forOfStmt(L, s as ts.ForOfStatement, label);
    case ts.SyntaxKind.SwitchStatement:
      return switchStmt(L, s as ts.SwitchStatement);
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
      return jumpStmt(L, s as ts.BreakOrContinueStatement);
    case ts.SyntaxKind.ReturnStatement:
      return returnStmt(L, s as ts.ReturnStatement);
    case ts.SyntaxKind.LabeledStatement: {
      const l = s as ts.LabeledStatement;
      L.pendingLabel = l.label.text;
      return stmt(L, l.statement);
    }
    default:
      // Everything else was refused by check.ts (try, throw, for-of, declarations in functions ...).
      if (ts.isFunctionDeclaration(s) || ts.isTryStatement(s) || ts.isThrowStatement(s) || ts.isTypeAliasDeclaration(s) ||
          ts.isForInStatement(s) || ts.isDebuggerStatement(s) || ts.isModuleDeclaration(s)) return;
      if (ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isInterfaceDeclaration(s)) {
        L.error(C.BAD_DECLARATION, 'classes, enums and interfaces must be declared at module level', s);
        return;
      }
      L.error(C.BAD_DECLARATION, `${ts.SyntaxKind[s.kind]} is not supported inside a function`, s);
  }
}

function localVar(L: Lowerer, d: ts.VariableDeclaration): void {
  if (!ts.isIdentifier(d.name)) return; // destructuring, refused by check.ts
  let t: Type;
  let init: TV | undefined;
  if (d.type) {
    t = resolveType(L, d.type);
  } else if (d.initializer) {
    init = expr(L, d.initializer);
    t = init.t.kind === 'null' ? ERROR : init.t;
    if (init.t.kind === 'null') L.error(C.MISSING_TYPE, `'${d.name.text}' needs a type annotation, such as 'T | null'`, d.name);
    if (t.kind === 'void') {
      L.error(C.VOID_VALUE, 'a void call has no value', d.initializer);
      t = ERROR;
    }
  } else {
    L.error(C.MISSING_TYPE, `'${d.name.text}' needs a type annotation or an initialiser`, d.name);
    t = ERROR;
  }
  if (t.kind === 'fmt') {
    L.error(C.FMT_USE, 'a fmt value can only be passed on to a fmt parameter', d.name);
    t = ERROR;
  }
  if (t.kind === 'slice') {
    // A named slice: a descriptor of its own, copied from the initialiser's.
    const own = L.b.alloca(16, 8);
    bindLocal(L, d, d.name.text, t, own, true);
    if (init) coerce(L, init, t, d.initializer!);
    const src = init ? init.v : d.initializer ? exprAs(L, d.initializer, t) : newSlice(L, konst(0n, 'l'), konst(0n, 'l'));
    copySlice(L, own, src);
    return;
  }
  if (isAggregate(t)) {
    // A local InlineArray or Inline struct: stack storage; the name gives its address.
    bindLocal(L, d, d.name.text, t, L.b.alloca(sizeOf(t), Math.max(alignOf(t), 1)), true);
    if (d.initializer) L.error(C.INLINE_FIELD_INIT, `inline variable '${d.name.text}' cannot have an initialiser`, d.initializer);
    return;
  }
  const cls = clsOf(t);
  const addr = L.b.alloca(slotSize(cls), slotSize(cls));
  bindLocal(L, d, d.name.text, t, addr, false);
  const v = init ? coerce(L, init, t, d.initializer!) : d.initializer ? exprAs(L, d.initializer, t) : konst(0n, cls);
  L.b.emit({ op: 'store', addr, value: v, width: slotSize(cls) });
}

/** Makes a local's slot what its name means, and tells the debugger its name and type. */
function bindLocal(L: Lowerer, d: ts.VariableDeclaration, name: string, t: Type, addr: Value, aggregate: boolean): void {
  if (addr.kind === 'vreg') {
    L.names.set(addr.id, name);
    setDebugType(L, addr.id, t);
  }
  L.entities.set(d, { kind: 'local', type: t, addr, aggregate });
}

function ifStmt(L: Lowerer, s: ts.IfStatement): void {
  const b = L.b;
  const then = b.newBlock();
  const end = b.newBlock();
  const els = s.elseStatement ? b.newBlock() : end;
  cond(L, s.expression, then, els);
  b.setBlock(then);
  stmt(L, s.thenStatement);
  b.jmp(end);
  if (s.elseStatement) {
    b.setBlock(els);
    stmt(L, s.elseStatement);
    b.jmp(end);
  }
  b.setBlock(end);
}

function loop(L: Lowerer, label: string | undefined, brk: Block, cont: Block, body: ts.Statement): void {
  L.targets.push({ label, brk: brk.id, cont: cont.id });
  stmt(L, body);
  L.targets.pop();
}

function whileStmt(L: Lowerer, s: ts.WhileStatement, label?: string): void {
  const b = L.b;
  const head = b.newBlock();
  const body = b.newBlock();
  const end = b.newBlock();
  b.jmp(head);
  b.setBlock(head);
  cond(L, s.expression, body, end);
  b.setBlock(body);
  loop(L, label, end, head, s.statement);
  b.jmp(head);
  b.setBlock(end);
}

function doStmt(L: Lowerer, s: ts.DoStatement, label?: string): void {
  const b = L.b;
  const body = b.newBlock();
  const test = b.newBlock();
  const end = b.newBlock();
  b.jmp(body);
  b.setBlock(body);
  loop(L, label, end, test, s.statement);
  b.jmp(test);
  b.setBlock(test);
  L.b.loc = nodeLoc(s.expression);
  cond(L, s.expression, body, end);
  b.setBlock(end);
}

function forStmt(L: Lowerer, s: ts.ForStatement, label?: string): void {
  const b = L.b;
  if (s.initializer) {
    if (ts.isVariableDeclarationList(s.initializer)) for (const d of s.initializer.declarations) localVar(L, d);
    else expr(L, s.initializer, undefined, true);
  }
  const head = b.newBlock();
  const body = b.newBlock();
  const step = b.newBlock();
  const end = b.newBlock();
  b.jmp(head);
  b.setBlock(head);
  if (s.condition) cond(L, s.condition, body, end);
  else b.jmp(body);
  b.setBlock(body);
  loop(L, label, end, step, s.statement);
  b.jmp(step);
  b.setBlock(step);
  if (s.incrementor) {
    L.b.loc = nodeLoc(s.incrementor);
    expr(L, s.incrementor, undefined, true);
  }
  b.jmp(head);
  b.setBlock(end);
}

/**
 * `for (const x of xs)` over an InlineArray or a constant table: an index loop over its
 * compile-time length; `x` is each element (for inline structs, a reference to it).
 */
function forOfStmt(L: Lowerer, s: ts.ForOfStatement, label?: string): void {
  const b = L.b;
  const list = s.initializer;
  const d = ts.isVariableDeclarationList(list) && list.declarations.length === 1 ? list.declarations[0] : undefined;
  if (s.awaitModifier || !d || !ts.isIdentifier(d.name)) {
    L.error(C.FOR_IN_OF, 'for-of needs one new variable: `for (const x of xs)`', list);
    return;
  }
  const over = expr(L, s.expression);
  if (over.t.kind === 'error') return;
  if (over.t.kind !== 'array' && over.t.kind !== 'table' && over.t.kind !== 'slice') {
    L.error(C.FOR_IN_OF, `for-of goes over an InlineArray, a constant table or a Slice, not ${typeName(over.t)}`, s.expression);
    return;
  }
  const elem = over.t.elem;
  // A slice's elements are at its ptr, its length read once (the descriptor never changes).
  const base = over.t.kind === 'slice' ? { t: over.t, v: slicePtr(L, over.v) } : over;
  const n: Value = over.t.kind === 'slice' ? sliceLength(L, over.v) : konst(BigInt(over.t.length), 'l');
  const itemType: Type = elem.kind === 'inline' ? { kind: 'ref', struct: elem.struct } : elem;
  const declared = d.type ? resolveType(L, d.type) : itemType;
  const cls = clsOf(declared);
  const slot = b.alloca(slotSize(cls), slotSize(cls));
  bindLocal(L, d, d.name.text, declared, slot, false);
  const index = b.alloca(8, 8);
  b.emit({ op: 'store', addr: index, value: konst(0n, 'l'), width: 8 });
  const head = b.newBlock();
  const body = b.newBlock();
  const step = b.newBlock();
  const end = b.newBlock();
  b.jmp(head);
  b.setBlock(head);
  const i = load(L, index, 8, false, 'l');
  b.br(cmp(L, 'ult', 'l', i, n), body, end);
  b.setBlock(body);
  const addr = binop(L, 'add', 'l', base.v, binop(L, 'mul', 'l', i, konst(BigInt(sizeOf(elem)), 'l')));
  const item: TV = isAggregate(elem) ? { t: itemType, v: addr } : { t: elem, v: load(L, addr, memAccess(elem).width, memAccess(elem).signed, clsOf(elem)) };
  b.emit({ op: 'store', addr: slot, value: coerce(L, item, declared, d), width: slotSize(cls) });
  loop(L, label, end, step, s.statement);
  b.jmp(step);
  b.setBlock(step);
  b.emit({ op: 'store', addr: index, value: binop(L, 'add', 'l', load(L, index, 8, false, 'l'), konst(1n, 'l')), width: 8 });
  b.jmp(head);
  b.setBlock(end);
}

/** JS switch: the cases are tested in order; bodies fall through; default may be anywhere. */
function switchStmt(L: Lowerer, s: ts.SwitchStatement): void {
  const b = L.b;
  const disc = expr(L, s.expression);
  if (!isInt(disc.t) && disc.t.kind !== 'bool' && disc.t.kind !== 'error') {
    L.error(C.BAD_OPERAND, `switch needs an integer, not ${typeName(disc.t)}`, s.expression);
  }
  const clauses = s.caseBlock.clauses;
  const bodies = clauses.map(() => b.newBlock());
  const end = b.newBlock();
  let defaultBody = end;
  const seen = new Set<bigint>();
  clauses.forEach((c, i) => {
    if (ts.isDefaultClause(c)) {
      defaultBody = bodies[i];
      return;
    }
    L.b.loc = nodeLoc(c);
    const v = exprAs(L, c.expression, disc.t.kind === 'error' ? I32 : disc.t);
    // Cases are constants and distinct, as in C: a switch is a jump table, not a chain of ifs.
    if (v.kind !== 'const' && disc.t.kind !== 'error') L.error(C.SWITCH_CASE, 'a case label must be a constant expression', c.expression);
    else if (v.kind === 'const' && seen.has(v.value)) L.error(C.SWITCH_CASE, `duplicate case value ${c.expression.getText()}`, c.expression);
    if (v.kind === 'const') seen.add(v.value);
    const next = b.newBlock();
    L.b.br(compare(L, 'eq', disc.t, disc.v, v), bodies[i], next);
    b.setBlock(next);
  });
  b.jmp(defaultBody);
  L.targets.push({ brk: end.id });
  clauses.forEach((c, i) => {
    b.setBlock(bodies[i]);
    for (const st of c.statements) stmt(L, st);
    b.jmp(i + 1 < bodies.length ? bodies[i + 1] : end);
  });
  L.targets.pop();
  b.setBlock(end);
}

function jumpStmt(L: Lowerer, s: ts.BreakOrContinueStatement): void {
  const isBreak = s.kind === ts.SyntaxKind.BreakStatement;
  const label = s.label?.text;
  for (let i = L.targets.length - 1; i >= 0; i--) {
    const t = L.targets[i];
    if (label ? t.label === label : isBreak || t.cont !== undefined) {
      const target = isBreak ? t.brk : t.cont;
      if (target === undefined) break;
      L.b.term({ op: 'jmp', target });
      return;
    }
  }
  // TypeScript reports jumps to unknown labels, and check.ts labels on anything but loops.
}

function returnStmt(L: Lowerer, s: ts.ReturnStatement): void {
  const ret = L.fn?.ret ?? VOID;
  if (s.expression) {
    if (ret.kind === 'void') {
      const tv = expr(L, s.expression);
      if (tv.t.kind !== 'void' && tv.t.kind !== 'error') L.error(C.TYPE_MISMATCH, 'a void function cannot return a value', s.expression);
      L.b.term({ op: 'ret' });
      return;
    }
    const v = exprAs(L, s.expression, ret);
    if (ret.kind === 'never') L.b.term({ op: 'unreachable' });
    else L.b.term({ op: 'ret', value: ret.kind === 'error' ? undefined : v });
  } else {
    L.b.term({ op: 'ret' });
  }
}

// ---- conditions ----

/** Branches on a condition, short-circuiting && || and !. */
export function cond(L: Lowerer, node: ts.Expression, t: Block, f: Block): void {
  const b = L.b;
  node = skipParens(node);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) return cond(L, node.operand, f, t);
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
      const mid = b.newBlock();
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) cond(L, node.left, mid, f);
      else cond(L, node.left, t, mid);
      b.setBlock(mid);
      return cond(L, node.right, t, f);
    }
  }
  b.br(condValue(L, node), t, f);
}

/** A condition's truth as a w value: bools as they are, integers and references != 0. */
export function condValue(L: Lowerer, node: ts.Expression): Value {
  const tv = expr(L, node);
  return truth(L, tv, node);
}

export function truth(L: Lowerer, tv: TV, node: ts.Node): Value {
  if (tv.t.kind === 'bool' || tv.t.kind === 'error') return tv.v;
  if (isInt(tv.t) || isRefLike(tv.t)) {
    return cmp(L, 'ne', clsOf(tv.t), tv.v, konst(0n, clsOf(tv.t)));
  }
  L.error(C.BAD_CONDITION, `a condition must be a bool, an integer or a reference, not ${typeName(tv.t)}`, node);
  return W(0n);
}
