// Lowering: the TypeScript AST of a whole program to the IR of compiler/ir/ir.ts, checking the type
// rules TypeScript cannot express on the way (integer widths, signedness, literal ranges, implicit
// narrowing).
//
// TypeScript's checker is used only to resolve names to their declarations; every type is the
// compiler's own (types.ts), computed from annotations and from the expressions themselves, because
// TypeScript sees every integer type as `number`. Local variables become stack slots (alloca) with
// loads and stores; the mem2reg pass turns them into SSA values. Constant operands are folded as they
// are emitted, which is also how module-level constants are evaluated.
//
// Errors are collected (many per run); an expression already reported gets the `error` type so that
// it causes no further messages.
//
// The phase is five files, chibicc-style functions over one state (Lowerer):
//   lower.ts       the state, the driver (run), functions, IR emission with folding, shared helpers
//   decls.ts       module-level declarations: names, classes, signatures, types, globals, constants
//   stmt.ts        statements and conditions
//   expr.ts        expressions, places (variables, fields, elements) and calls
//   intrinsics.ts  conversions and the prelude's intrinsics
// with builder.ts (the IR function builder) and fold.ts (constant folding, shared with irinterp.ts).

import type { Cls, Func, Module, Value, Width, BinOp, CmpOp } from '../ir/ir.js';
import { DiagnosticBag } from '../../linker/diag.js';
import { ts, nodeLoc, type Program } from './program.js';
import { CODES as C, hasModifier } from './check.js';
import { type Type, type StructInfo, ERROR, clsOf, isAggregate, memAccess } from './types.js';
import { Builder, W, finishBlocks, konst } from '../ir/builder.js';
import { block } from './stmt.js';
import { collect, collectVariables, constValue, layout, lowerGlobal, signatures, stringSym, symbolNames } from './decls.js';
import { exprAs } from './intrinsics.js';
import { expr } from './expr.js';
import { foldBin, foldCmp, foldExt, foldUn } from '../ir/fold.js';
import { debugType } from './debugtypes.js';
import { checkOverrides, emitVtables, implicitSuper, linkHierarchy, slotByKey } from './classes.js';
import { type Effects, type LoweredEntry, type LoweringCache, envKey, funcKey, locsWithin } from './lowercache.js';
import { copySlice } from './slices.js';
import type { DebugType } from '../../linker/object.js';

function hierarchyDepth(e: Entity): number {
  let d = 0;
  if (e.kind === 'class') for (let b = e.info.base; b && d < 64; b = b.base) d++;
  return d;
}

// ---------------------------------------------------------------------------------------------
// Program entities: what a name can refer to.

export interface FuncInfo {
  kind: 'func';
  sym: string;
  decl: ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration | ts.ClassDeclaration | ts.MethodSignature | ts.ArrowFunction | ts.FunctionExpression | ts.AccessorDeclaration;
  /** `dflt`: an omitted argument's value (a constant default, or null for an optional reference). */
  params: { name: string; type: Type; decl?: ts.ParameterDeclaration; dflt?: Value }[];
  ret: Type;
  type: Type; // the function type, for values
  exported: boolean;
  extern: boolean;
  struct?: StructInfo; // methods and constructors: `this` is params[0]
  ctorOf?: ts.ClassDeclaration;
  /** A generic function or method: a template, lowered only as instances (generics.ts). */
  generic?: boolean;
  /** What the type parameters in scope stand for (instances of generics, methods of generic classes). */
  typeEnv?: TypeEnv;
  /** An abstract method or an interface method: no body, called through the vtable only. */
  abstract?: boolean;
  /** How many instances deep this instance was made (generics.ts stops polymorphic recursion). */
  depth?: number;
}

/** Type parameters (their declarations) to the concrete types of one instance. */
export type TypeEnv = Map<ts.Node, Type>;

export interface StructEntity {
  kind: 'class';
  info: StructInfo;
  decl: ts.ClassDeclaration | ts.InterfaceDeclaration;
  methods: Map<string, FuncInfo>;
  ctor?: FuncInfo;
  statics: Map<string, ts.PropertyDeclaration>;
  staticValues: Map<string, TV | null>;
  /** `static m()`: plain functions named `<prefix>.m`, called as `C.m(...)`. */
  staticMethods: Map<string, FuncInfo>;
  /** A generic class: a template; each `C<Args>` is an instance with its own StructEntity. */
  generic?: boolean;
  typeEnv?: TypeEnv;
}

export type Entity =
  | FuncInfo
  | StructEntity
  | { kind: 'local'; type: Type; addr: Value; aggregate: boolean }
  | { kind: 'global'; type: Type; sym: string; decl: ts.VariableDeclaration; exported: boolean; extern: boolean; constant: boolean }
  | { kind: 'const'; type: Type; decl: ts.VariableDeclaration; value?: TV | null; evaluating?: boolean }
  | { kind: 'enum'; members: Map<string, bigint> };

/** A typed value: the compiler's type and the IR value holding it. */
export interface TV {
  t: Type;
  v: Value;
}

/** A place in memory that can be read and written. */
export interface LValue {
  t: Type;
  addr: Value;
  width: Width;
  signed: boolean;
  readonly?: boolean;
}

interface LoopTarget {
  label?: string;
  brk: number;
  cont?: number; // absent for switch
}

export const ZERO_TV: TV = { t: ERROR, v: konst(0n, 'w') };

export const BUILTIN_CONSTS: Record<string, bigint> = { FMT_STR: 0n, FMT_INT: 1n, FMT_UINT: 2n, FMT_HEX: 3n };

export interface LowerOptions {
  /** Check InlineArray and table indices at run time (see bounds.ts); on unless turned off. */
  boundsChecks?: boolean;
}

/** With `cache`, functions lowered by an earlier build of the same program are reused (lowercache.ts). */
export function lowerProgram(p: Program, diags: DiagnosticBag, opts: LowerOptions = {}, cache?: LoweringCache): Module {
  const L = new Lowerer(p, diags, opts.boundsChecks ?? true);
  if (!cache) return L.run();
  cache.begin(envKey(p, JSON.stringify(opts)));
  L.cache = cache;
  L.debugStructs = cache.debugStructs;
  const m = L.run();
  cache.end();
  return m;
}

/** The lowering state: the program's entities and the function being built. */
export class Lowerer {
  checker: ts.TypeChecker;
  entities = new Map<ts.Node, Entity>();
  structs = new Map<StructInfo, StructEntity>();
  funcSyms = new Set<string>();
  module: Module = { funcs: [], globals: [], externs: [] };
  strings = new Map<string, string>();
  resolving = new Set<ts.Node | StructInfo>(); // type aliases and structs being resolved or laid out: met again, a cycle
  instances = new Map<string, FuncInfo | StructEntity>(); // generic instances by template and type arguments
  pending: FuncInfo[] = []; // instances (and lambdas) to lower after the program's own functions
  lambdaCount = 0;
  chainDefault?: { at: ts.Node; value: ts.Expression }; // `a?.f ?? d`: the default of the chain ending at `at`
  slots = new Map<string, number>(); // vtable slots of the selectors (classes.ts)
  typeEnv?: TypeEnv; // the type parameters of the function or class being lowered or laid out
  debugStructs = new Map<string, DebugType>(); // struct debug types (debugtypes.ts)
  cache?: LoweringCache;
  effects?: Effects; // what the function being lowered for the cache reads and changes of the above
  // per function
  b: Builder = new Builder();
  fn?: FuncInfo;
  targets: LoopTarget[] = [];
  pendingLabel?: string;
  names = new Map<number, string>(); // the current function's user variables, by vreg (their slot)
  types = new Map<number, DebugType>(); // their debug types, by the same vreg

  constructor(readonly p: Program, readonly diags: DiagnosticBag, readonly boundsChecks = true) {
    this.checker = p.checker;
  }

  error(code: string, msg: string, node: ts.Node): void {
    this.diags.error(code, msg, nodeLoc(node));
  }

  run(): Module {
    const names = symbolNames(this);
    for (const sf of this.p.files) collect(this, sf, names);
    linkHierarchy(this);
    // Variables after every class and enum is known (a type may come from a later file) and which
    // classes are polymorphic (an `Inline<C>` variable of one is a static object).
    for (const sf of this.p.files) collectVariables(this, sf, names);
    for (const e of this.entities.values()) if (e.kind === 'class' && !e.generic) layout(this, e, e.decl);
    // Bases before subclasses: an implicit constructor takes its base constructor's parameters.
    const byDepth = [...this.entities.values()].sort((a, b) => hierarchyDepth(a) - hierarchyDepth(b));
    for (const e of byDepth) if ((e.kind === 'func' || e.kind === 'class') && !e.generic) signatures(this, e);
    for (const e of byDepth) if (e.kind === 'class' && e.generic) for (const m of e.staticMethods.values()) if (!m.generic) signatures(this, m);
    checkOverrides(this);
    for (const e of [...this.entities.values()]) {
      if (e.kind === 'global') lowerGlobal(this, e);
      if (e.kind === 'const') constValue(this, e);
    }
    for (const e of [...this.entities.values()]) {
      if (e.kind === 'func' && !e.extern && !e.generic) lowerCached(this, e);
      // Static methods cannot use the class's type parameters: one copy, also for a generic class.
      if (e.kind === 'class') for (const m of e.staticMethods.values()) if (!m.generic) lowerCached(this, m);
      if (e.kind === 'class' && !e.generic) {
        for (const m of e.methods.values()) if (!m.generic && !m.abstract) lowerCached(this, m);
        if (e.ctor) lowerCached(this, e.ctor);
      }
    }
    // Generic instances are created while lowering their uses (and may create more).
    for (let f = this.pending.shift(); f; f = this.pending.shift()) lowerFunc(this, f);
    emitVtables(this);
    return this.module;
  }
}

// ---- functions ----

/** A function of the program's own (not an instance, not a lambda): from the cache if it has it. */
function lowerCached(L: Lowerer, f: FuncInfo): void {
  const cache = L.cache;
  if (!cache) return lowerFunc(L, f);
  const decl = f.ctorOf ?? f.decl; // a constructor stores the field initialisers of its class
  const key = funcKey(f.sym, decl);
  cache.used.add(key);
  const hit = cache.entries.get(key);
  if (hit && replay(L, hit)) {
    L.module.funcs.push(hit.func);
    L.fn = f;
    cache.reused++;
    return;
  }
  const before = [L.diags.items.length, L.pending.length, L.instances.size, L.lambdaCount].join();
  const effects: Effects = (L.effects = { strings: [], slots: [], instances: [] });
  try {
    lowerFunc(L, f);
  } finally {
    L.effects = undefined;
  }
  const func = L.module.funcs[L.module.funcs.length - 1];
  const after = [L.diags.items.length, L.pending.length, L.instances.size, L.lambdaCount].join();
  if (after === before && locsWithin(func, decl)) cache.entries.set(key, { func, ...effects });
  else cache.entries.delete(key);
}

/** Does again to the shared state what lowering the kept function did; false if that gives other
 *  symbols or slots than it gave then (it is lowered again, which does the same). */
function replay(L: Lowerer, e: LoweredEntry): boolean {
  return (
    e.strings.every(([text, sym]) => stringSym(L, text) === sym) &&
    e.slots.every(([key, slot]) => slotByKey(L, key) === slot) &&
    e.instances.every((k) => L.instances.has(k))
  );
}

function lowerFunc(L: Lowerer, f: FuncInfo): void {
  L.b = new Builder();
  L.fn = f;
  L.typeEnv = f.typeEnv;
  L.targets = [];
  const b = L.b;
  const decl = f.decl;
  b.loc = nodeLoc(decl);
  const func: Func = {
    name: f.sym, exported: f.exported, params: [], ret: f.ret.kind === 'void' || f.ret.kind === 'never' ? undefined : clsOf(f.ret),
    blocks: [], nextVreg: 0, inline: inlineTag(decl), loc: b.loc, names: new Map(), types: new Map(),
  };
  L.names = func.names!;
  L.types = func.types!;
  f.params.forEach((p, i) => {
    const cls = clsOf(p.type);
    const vreg = b.vreg();
    func.params.push({ vreg, cls, name: p.name });
    const slot = b.alloca(slotSize(cls), slotSize(cls));
    b.emit({ op: 'store', addr: slot, value: { kind: 'vreg', id: vreg, cls }, width: slotSize(cls) });
    const key: ts.Node = p.decl ?? paramKey(decl, i); // an implicit constructor's parameters have no declaration
    if (p.type.kind === 'slice') {
      // A Slice parameter arrives as the caller's descriptor: the callee works on its own copy.
      const own = b.alloca(16, 8);
      copySlice(L, own, { kind: 'vreg', id: vreg, cls });
      L.entities.set(key, { kind: 'local', type: p.type, addr: own, aggregate: true });
    } else L.entities.set(p.name === 'this' ? thisKey(decl) : key, { kind: 'local', type: p.type, addr: slot, aggregate: false });
    func.names!.set(vreg, p.name);
    const dt = debugType(L, p.type);
    if (dt) func.types!.set(vreg, dt);
  });
  if (f.ctorOf && f.struct?.base) {
    // A subclass: the base constructor first; an explicit constructor calls it with super(...).
    if (ts.isClassDeclaration(decl)) {
      implicitSuper(L, f);
      fieldInitialisers(L, f);
    }
  } else if (f.ctorOf) fieldInitialisers(L, f);
  const body = ts.isClassDeclaration(decl) || ts.isMethodSignature(decl) ? undefined : decl.body;
  if (body && ts.isBlock(body)) block(L, body);
  else if (body) expressionBody(L, f, body); // an arrow function's `=> expr`
  if (b.reachable) {
    if (f.ret.kind === 'void' || f.ret.kind === 'error') b.term({ op: 'ret' });
    else b.term({ op: 'unreachable' });
  }
  func.blocks = finishBlocks(b);
  func.nextVreg = b.nextVreg;
  L.module.funcs.push(func);
  L.typeEnv = undefined;
}

function expressionBody(L: Lowerer, f: FuncInfo, body: ts.Expression): void {
  if (f.ret.kind === 'void' || f.ret.kind === 'error') {
    expr(L, body, undefined, true);
    L.b.term({ op: 'ret' });
  } else {
    const v = exprAs(L, body, f.ret);
    L.b.term(f.ret.kind === 'never' ? { op: 'unreachable' } : { op: 'ret', value: v });
  }
}

/** A constructor first stores the field initialisers, in declaration order. */
export function fieldInitialisers(L: Lowerer, f: FuncInfo): void {
  const cls = f.ctorOf!;
  const self = loadLocal(L, thisKey(f.decl));
  for (const m of cls.members) {
    if (!ts.isPropertyDeclaration(m) || !m.initializer || hasModifier(m, ts.SyntaxKind.StaticKeyword) || !ts.isIdentifier(m.name)) continue;
    const field = f.struct!.fieldMap.get(m.name.text);
    if (!field || isAggregate(field.type)) continue;
    L.b.loc = nodeLoc(m);
    const v = exprAs(L, m.initializer, field.type);
    const { width } = memAccess(field.type);
    L.b.emit({ op: 'store', addr: addOffset(L, self.v, BigInt(field.offset)), value: v, width });
  }
}

export function loadLocal(L: Lowerer, key: ts.Node): TV {
  const e = L.entities.get(key);
  if (!e || e.kind !== 'local') return ZERO_TV;
  const cls = clsOf(e.type);
  return { t: e.type, v: load(L, e.addr, slotSize(cls), false, cls) };
}

/** A local's stack slot (and any temporary) holds its value as the whole register class. */
export function slotSize(cls: Cls): 4 | 8 {
  return cls === 'l' ? 8 : 4;
}

// ---- IR emission with constant folding ----

export function binop(L: Lowerer, op: BinOp, cls: Cls, a: Value, b: Value): Value {
  if (a.kind === 'const' && b.kind === 'const') {
    const r = foldBin(op, cls, a.value, b.value);
    if (r !== undefined) return konst(r, cls);
    if (!L.fn) {
      // A constant expression that would trap: reported here, since it cannot be folded.
      L.diags.error(C.CONST_DIV_ZERO, 'division by zero (or MIN / -1) in a constant expression', L.b.loc);
      return konst(0n, cls);
    }
  }
  if (op === 'add' && a.kind === 'sym' && b.kind === 'const') return { kind: 'sym', name: a.name, addend: a.addend + b.value };
  const dst = L.b.vreg();
  L.b.emit({ op: 'bin', bin: op, cls, dst, a, b });
  return { kind: 'vreg', id: dst, cls };
}

export function unop(L: Lowerer, op: 'neg' | 'not', cls: Cls, a: Value): Value {
  if (a.kind === 'const') return konst(foldUn(op, cls, a.value), cls);
  const dst = L.b.vreg();
  L.b.emit({ op: 'un', un: op, cls, dst, a });
  return { kind: 'vreg', id: dst, cls };
}

export function cmp(L: Lowerer, op: CmpOp, cls: Cls, a: Value, b: Value): Value {
  if (a.kind === 'const' && b.kind === 'const') return W(foldCmp(op, cls, a.value, b.value) ? 1n : 0n);
  const dst = L.b.vreg();
  L.b.emit({ op: 'cmp', cmp: op, cls, dst, a, b });
  return { kind: 'vreg', id: dst, cls: 'w' };
}

export function ext(L: Lowerer, a: Value, from: Width, signed: boolean, cls: Cls, keep = false): Value {
  if (keep) return a;
  if (a.kind === 'const') return konst(foldExt(cls, a.value, from, signed), cls);
  const dst = L.b.vreg();
  L.b.emit({ op: 'ext', cls, dst, a, from, signed });
  return { kind: 'vreg', id: dst, cls };
}

export function load(L: Lowerer, addr: Value, width: Width, signed: boolean, cls: Cls): Value {
  const dst = L.b.vreg();
  L.b.emit({ op: 'load', cls, dst, addr, width, signed });
  return { kind: 'vreg', id: dst, cls };
}

export function addOffset(L: Lowerer, a: Value, off: bigint): Value {
  return off === 0n ? a : binop(L, 'add', 'l', a, konst(off, 'l'));
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the lowering files.

const S = ts.SyntaxKind;

export const ARITH_OPS: Partial<Record<ts.SyntaxKind, string>> = {
  [S.PlusToken]: 'add', [S.MinusToken]: 'sub', [S.AsteriskToken]: 'mul', [S.SlashToken]: 'div', [S.PercentToken]: 'rem',
  [S.AmpersandToken]: 'and', [S.BarToken]: 'or', [S.CaretToken]: 'xor',
  [S.LessThanLessThanToken]: 'shl', [S.GreaterThanGreaterThanToken]: 'sar', [S.GreaterThanGreaterThanGreaterThanToken]: 'ushr',
};

export function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** A literal-only expression, which takes its type from the other operand. */
export function isLiteralish(e: ts.Expression): boolean {
  e = skipParens(e);
  if (ts.isNumericLiteral(e)) return true;
  if (ts.isPrefixUnaryExpression(e)) return (e.operator === S.MinusToken || e.operator === S.TildeToken || e.operator === S.PlusToken) && isLiteralish(e.operand);
  if (ts.isBinaryExpression(e)) return ARITH_OPS[e.operatorToken.kind] !== undefined && isLiteralish(e.left) && isLiteralish(e.right);
  return false;
}

export function isRefLike(t: Type): boolean {
  return t.kind === 'ref' || t.kind === 'func' || t.kind === 'string' || t.kind === 'null';
}

export function isExported(stmt: ts.Statement): boolean {
  return hasModifier(stmt, S.ExportKeyword);
}

/** `/** @inline *\/` forces inlining; `/** @noinline *\/` forbids it (for code that reads its own frame). */
function inlineTag(decl: ts.Node): Func['inline'] {
  const tags = ts.getJSDocTags(decl).map((t) => t.tagName.text);
  return tags.includes('noinline') ? 'never' : tags.includes('inline') ? 'always' : 'auto';
}

/** The key under which a method's `this` slot is recorded: an object of its own per method declaration. */
const thisKeys = new WeakMap<ts.Node, object>();
export function thisKey(decl: ts.Node): ts.Node {
  return paramKey(decl, 0);
}

/** The key of a function's i-th parameter slot when it has no declaration of its own (`this`, implicit ones). */
export function paramKey(decl: ts.Node, i: number): ts.Node {
  let k = thisKeys.get(decl);
  if (!k) thisKeys.set(decl, (k = []));
  return ((k as object[])[i] ??= { kind: -1 }) as ts.Node;
}
