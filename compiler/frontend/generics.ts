// Generics (see lower.ts): generic functions, methods and classes are monomorphised. A generic
// declaration is a template that is never lowered itself; each distinct list of type arguments
// makes an instance (a function `f$u32`, a struct `Box$Node` with methods `Box$Node.get`) whose
// type parameters stand for those types (a TypeEnv) while its signature, layout and body are
// lowered. Type arguments are written (`f<u32>(x)`, `new Box<Node>()`), or inferred from the
// arguments' own types (the compiler's, not TypeScript's, which sees every integer as `number`)
// and, for `new`, from the type the value is assigned to.

import type { Value } from '../ir/ir.js';
import { ts } from './program.js';
import { CODES as C } from './check.js';
import { type Type, type StructInfo, sameType, typeName, isInt, unifyInts, intWidens } from './types.js';
import { type FuncInfo, type Lowerer, isLiteralish, type StructEntity, type TV, type TypeEnv } from './lower.js';
import { classEntity, declOf, layout, resolveType, signatures } from './decls.js';
import { callArgs, expr } from './expr.js';
import { coerce, exprAs } from './intrinsics.js';
import { isSubtype } from './classes.js';

/**
 * An instance made while lowering another instance is one level deeper; past this depth it is
 * polymorphic recursion (`f<T>` calling `f<Box<T>>`), which would never end.
 */
const MAX_DEPTH = 32;

function depthHere(L: Lowerer): number {
  return (L.fn?.depth ?? 0) + 1;
}

/** A linker-name fragment for a type: unique per type, letters, digits, `_`, `$` and `.` only. */
function mangle(t: Type): string {
  switch (t.kind) {
    case 'int':
      return t.name;
    case 'ref':
    case 'inline':
      return (t.kind === 'inline' ? 'I' : '') + t.struct.symbolPrefix;
    case 'array':
      return `A${t.length}_${mangle(t.elem)}`;
    case 'table':
      return `T_${mangle(t.elem)}`;
    case 'func':
      return `F${t.params.map(mangle).join('_')}_R${mangle(t.ret)}`;
    default:
      return t.kind;
  }
}

function typeParamsOf(decl: ts.Node): readonly ts.TypeParameterDeclaration[] {
  return (ts.isClassDeclaration(decl) || ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) ? decl.typeParameters : undefined) ?? [];
}

/** The environment of an instance: the template's own (a generic class's, for its methods) plus its parameters. */
function bindParams(L: Lowerer, decl: ts.Node, outer: TypeEnv | undefined, args: Type[], at: ts.Node): TypeEnv | null {
  const params = typeParamsOf(decl);
  if (args.length !== params.length) {
    L.error(C.GENERIC, `expected ${params.length} type argument(s), got ${args.length}`, at);
    return null;
  }
  if (args.some((a) => a.kind === 'error')) return null;
  const env: TypeEnv = new Map(outer ?? []);
  params.forEach((p, i) => env.set(p, args[i]));
  // Constraints: `T extends Node` holds for Node and its subclasses (and implementers of an interface).
  let ok = true;
  params.forEach((p, i) => {
    if (!p.constraint) return;
    const saved = L.typeEnv;
    L.typeEnv = env;
    const c = resolveType(L, p.constraint);
    L.typeEnv = saved;
    if (c.kind === 'error' || satisfies(args[i], c)) return;
    L.error(C.GENERIC_CONSTRAINT, `type argument ${typeName(args[i])} does not satisfy the constraint '${p.name.text} extends ${typeName(c)}'`, at);
    ok = false;
  });
  return ok ? env : null;
}

function satisfies(t: Type, c: Type): boolean {
  if (sameType(t, c)) return true;
  if (isInt(t) && isInt(c)) return intWidens(t, c);
  if (t.kind !== 'ref' || c.kind !== 'ref') return false;
  return isSubtype(t.struct, c.struct) || hasFieldsOf(t.struct, c.struct);
}

/**
 * A class constraint is also met by a class that has each of the constraint's fields, by name and
 * type (TypeScript's structural rule): an instance reaches them at its own offsets. This is how an
 * intrusive container takes any element with a `next` link (kernel-src/lib/list.ts).
 */
function hasFieldsOf(s: StructInfo, c: StructInfo): boolean {
  if (c.poly || c.isInterface) return false;
  return c.fields.every((f) => {
    const own = s.fieldMap.get(f.name);
    return own !== undefined && sameType(own.type, f.type);
  });
}

/** `C<Args>`: the instance of a generic class, laid out and with its methods' signatures. */
export function instantiateClass(L: Lowerer, tmpl: StructEntity, args: Type[], at: ts.Node): StructEntity | null {
  const key = `${tmpl.info.symbolPrefix}$${args.map(mangle).join('$')}`;
  const known = L.instances.get(key);
  if (known) {
    L.effects?.instances.push(key);
    return known as StructEntity;
  }
  const env = bindParams(L, tmpl.decl, undefined, args, at);
  if (!env) return null;
  const depth = depthHere(L);
  if (depth > MAX_DEPTH) {
    L.error(C.GENERIC, `generic instances nest more than ${MAX_DEPTH} deep (a type that grows with each instance?)`, at);
    return null;
  }
  const info: StructInfo = {
    name: `${tmpl.info.name}<${args.map(typeName).join(', ')}>`, symbolPrefix: key, fields: [], fieldMap: new Map(), size: 0, align: 1,
    laidOut: false, generic: { decl: tmpl.decl, args },
  };
  const exported = tmpl.methods.values().next().value?.exported ?? false;
  const ent = classEntity(tmpl.decl as ts.ClassDeclaration, info, exported, env);
  ent.statics = tmpl.statics;
  ent.staticValues = tmpl.staticValues;
  L.instances.set(key, ent);
  L.structs.set(info, ent);
  layout(L, ent, at);
  signatures(L, ent);
  for (const m of ent.methods.values()) m.depth = depth;
  if (ent.ctor) ent.ctor.depth = depth;
  for (const m of ent.methods.values()) if (!m.generic) L.pending.push(m);
  if (ent.ctor) L.pending.push(ent.ctor);
  return ent;
}

/** `f<Args>`: the instance of a generic function or method, with its signature. */
export function instantiateFunc(L: Lowerer, tmpl: FuncInfo, args: Type[], at: ts.Node): FuncInfo | null {
  const key = `${tmpl.sym}$${args.map(mangle).join('$')}`;
  const known = L.instances.get(key);
  if (known) {
    L.effects?.instances.push(key);
    return known as FuncInfo;
  }
  const env = bindParams(L, tmpl.decl, tmpl.typeEnv, args, at);
  if (!env) return null;
  const depth = Math.max(depthHere(L), (tmpl.depth ?? 0) + 1);
  if (depth > MAX_DEPTH) {
    L.error(C.GENERIC, `generic instances nest more than ${MAX_DEPTH} deep (a type that grows with each instance?)`, at);
    return null;
  }
  const inst: FuncInfo = { ...tmpl, sym: key, params: [], generic: false, typeEnv: env, exported: false, depth };
  L.instances.set(key, inst);
  L.funcSyms.add(key);
  signatures(L, inst);
  L.pending.push(inst);
  return inst;
}

/**
 * A call of a generic function or method: its type arguments, written or inferred from the
 * arguments (evaluated once, left to right), then a call of that instance. Returns the instance
 * and the argument values (`self` first).
 */
export function genericCall(L: Lowerer, tmpl: FuncInfo, node: ts.CallExpression, self: Value[]): { f: FuncInfo; args: Value[] } | null {
  const decl = tmpl.decl as ts.FunctionDeclaration | ts.MethodDeclaration;
  const tparams = typeParamsOf(decl);
  if (node.typeArguments) {
    const f = instantiateFunc(L, tmpl, node.typeArguments.map((a) => resolveType(L, a)), node);
    if (!f) return null;
    return { f, args: [...self, ...callArgs(L, f, node.arguments, self.length)] };
  }
  const bound = new Map<ts.Node, Type>();
  const params = decl.parameters;
  // Arguments whose parameter type involves a type parameter are lowered on their own types first.
  // A literal argument (no side effects) is lowered last, taking the type inferred from the others.
  const early: (TV | Value | undefined)[] = [];
  const literals: { i: number; p: ts.TypeNode }[] = [];
  node.arguments.forEach((a, i) => {
    const p = params[i];
    if (p?.type && mentions(L, p.type, tparams)) {
      if (isLiteralish(a) || ts.isArrowFunction(a) || ts.isFunctionExpression(a)) {
        literals.push({ i, p: p.type });
        early.push(undefined);
        return;
      }
      const tv = expr(L, a);
      infer(L, p.type, tv.t, tparams, bound);
      early.push(tv);
    } else if (p?.type) {
      early.push(exprAs(L, a, withEnv(L, tmpl.typeEnv, () => resolveType(L, p.type!))));
    } else {
      early.push(expr(L, a)); // too many arguments: TypeScript reports it
    }
  });
  for (const { i, p } of literals) {
    const a = node.arguments[i];
    const fnType = !isLiteralish(a) ? withEnv(L, new Map([...(tmpl.typeEnv ?? []), ...bound]), () => resolveType(L, p)) : undefined;
    const tv = expr(L, a, fnType ?? literalWant(L, p, tparams, bound));
    infer(L, p, tv.t, tparams, bound);
    early[i] = tv;
  }
  const args: Type[] = [];
  for (const tp of tparams) {
    let t = bound.get(tp);
    if (!t && tp.default) t = withEnv(L, tmpl.typeEnv, () => resolveType(L, tp.default!));
    if (!t) {
      L.error(C.GENERIC, `cannot infer the type argument '${tp.name.text}': write it, as in ${decl.name?.getText()}<T>(...)`, node);
      return null;
    }
    args.push(t);
  }
  const f = instantiateFunc(L, tmpl, args, node);
  if (!f) return null;
  const own = f.params.slice(self.length);
  const vals = early.map((x, i): Value => (x && 't' in x ? (i < own.length ? coerce(L, x, own[i].type, node.arguments[i]) : x.v) : x!));
  return { f, args: [...self, ...vals] };
}

/** The type arguments of `new C(...)`: written, from the assigned-to type, or from the constructor's arguments. */
export function newTypeArgs(L: Lowerer, tmpl: StructEntity, node: ts.NewExpression, want: Type | undefined): Type[] | null {
  if (node.typeArguments) return node.typeArguments.map((a) => resolveType(L, a));
  if (want?.kind === 'ref' && want.struct.generic?.decl === tmpl.decl) return want.struct.generic.args;
  L.error(C.GENERIC, `write the type arguments of '${tmpl.info.name}' (new ${tmpl.info.name}<T>(...)), or assign it to a variable of that type`, node);
  return null;
}

/** The type a literal argument takes: its parameter's type if that is a type parameter already inferred. */
function literalWant(L: Lowerer, p: ts.TypeNode, tparams: readonly ts.TypeParameterDeclaration[], bound: Map<ts.Node, Type>): Type | undefined {
  if (!ts.isTypeReferenceNode(p)) return undefined;
  const d = declOf(L, p.typeName);
  return d && tparams.includes(d as ts.TypeParameterDeclaration) ? bound.get(d) : undefined;
}

function withEnv<T>(L: Lowerer, env: TypeEnv | undefined, f: () => T): T {
  const saved = L.typeEnv;
  L.typeEnv = env ?? saved;
  try {
    return f();
  } finally {
    L.typeEnv = saved;
  }
}

/** Whether a type annotation refers to one of the given type parameters. */
function mentions(L: Lowerer, node: ts.TypeNode, tparams: readonly ts.TypeParameterDeclaration[]): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isTypeReferenceNode(n) && tparams.includes(declOf(L, n.typeName) as ts.TypeParameterDeclaration)) found = true;
    else n.forEachChild(visit);
  };
  visit(node);
  return found;
}

/** Matches a parameter's annotation against an argument's type, binding type parameters. */
function infer(L: Lowerer, node: ts.TypeNode, t: Type, tparams: readonly ts.TypeParameterDeclaration[], bound: Map<ts.Node, Type>): void {
  if (t.kind === 'error' || t.kind === 'null') return;
  if (ts.isParenthesizedTypeNode(node)) return infer(L, node.type, t, tparams, bound);
  if (ts.isUnionTypeNode(node)) {
    for (const u of node.types) if (!(ts.isLiteralTypeNode(u) && u.literal.kind === ts.SyntaxKind.NullKeyword)) infer(L, u, t, tparams, bound);
    return;
  }
  if (ts.isFunctionTypeNode(node) && t.kind === 'func') {
    node.parameters.forEach((p, i) => p.type && i < t.params.length && infer(L, p.type, t.params[i], tparams, bound));
    return infer(L, node.type, t.ret, tparams, bound);
  }
  if (!ts.isTypeReferenceNode(node)) return;
  const decl = declOf(L, node.typeName);
  if (decl && tparams.includes(decl as ts.TypeParameterDeclaration)) {
    const prev = bound.get(decl);
    if (!prev) bound.set(decl, t);
    else if (isInt(prev) && isInt(t)) bound.set(decl, unifyInts(prev, t) ?? prev); // f(a_u8, b_u32): T = u32
    return;
  }
  const args = node.typeArguments ?? [];
  if (t.kind === 'ref' && t.struct.generic?.decl === decl) args.forEach((a, i) => infer(L, a, t.struct.generic!.args[i], tparams, bound));
  if (t.kind === 'array' && node.typeName.getText() === 'InlineArray' && args[0]) infer(L, args[0], t.elem, tparams, bound);
}
