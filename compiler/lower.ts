// Lowering: the TypeScript AST of a whole program to the IR of compiler/ir.ts, checking the type
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

import type { Block, Cls, Func, Global, Inst, Module, Terminator, Value, Width, BinOp, CmpOp } from './ir.js';
import type { SourceLoc } from '../linker/object.js';
import { DiagnosticBag } from './diag.js';
import { ts, nodeLoc, type Program } from './program.js';
import { CODES as C } from './check.js';
import {
  type Type, type IntType, type StructInfo, INT_TYPES, I32, I64, U8, U64, USIZE, BOOL, VOID, NEVER, NULL, STRING, FMT, ERROR,
  clsOf, sizeOf, alignOf, isAggregate, memAccess, layoutStruct, typeName, sameType, intWidens, unifyInts, intRange, wrapInt, isInt,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Program entities: what a name can refer to.

interface FuncInfo {
  kind: 'func';
  sym: string;
  decl: ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration | ts.ClassDeclaration;
  params: { name: string; type: Type; decl?: ts.ParameterDeclaration }[];
  ret: Type;
  type: Type; // the function type, for values
  exported: boolean;
  extern: boolean;
  struct?: StructInfo; // methods and constructors: `this` is params[0]
  ctorOf?: ts.ClassDeclaration;
}

interface StructEntity {
  kind: 'class';
  info: StructInfo;
  decl: ts.ClassDeclaration;
  methods: Map<string, FuncInfo>;
  ctor?: FuncInfo;
  statics: Map<string, ts.PropertyDeclaration>;
  staticValues: Map<string, TV | null>;
}

type Entity =
  | FuncInfo
  | StructEntity
  | { kind: 'local'; type: Type; addr: Value; aggregate: boolean }
  | { kind: 'global'; type: Type; sym: string; decl: ts.VariableDeclaration; exported: boolean; extern: boolean; constant: boolean }
  | { kind: 'const'; type: Type; decl: ts.VariableDeclaration; value?: TV | null; evaluating?: boolean }
  | { kind: 'enum'; members: Map<string, bigint> };

/** A typed value: the compiler's type and the IR value holding it. */
interface TV {
  t: Type;
  v: Value;
}

/** A place in memory that can be read and written. */
interface LValue {
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

const W = (v: bigint): Value => konst(v, 'w');
function konst(v: bigint, cls: Cls): Value {
  return { kind: 'const', value: cls === 'w' ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v), cls };
}
const ZERO_TV: TV = { t: ERROR, v: konst(0n, 'w') };

const BUILTIN_CONSTS: Record<string, bigint> = { FMT_STR: 0n, FMT_INT: 1n, FMT_UINT: 2n, FMT_HEX: 3n };

// ---------------------------------------------------------------------------------------------
// The function builder: blocks, vregs, instructions.

class Builder {
  blocks: Block[] = [];
  cur: Block;
  done = new Set<number>(); // blocks that have their terminator
  allocas: Inst[] = [];
  nextVreg = 0;
  loc?: SourceLoc;

  constructor() {
    this.cur = this.newBlock();
  }
  newBlock(): Block {
    const b: Block = { id: this.blocks.length, insts: [], term: { op: 'unreachable' } };
    this.blocks.push(b);
    return b;
  }
  vreg(): number {
    return this.nextVreg++;
  }
  emit(i: Inst): void {
    if (this.done.has(this.cur.id)) this.cur = this.newBlock(); // dead code after a jump: kept apart, removed later
    i.loc = this.loc;
    this.cur.insts.push(i);
  }
  term(t: Terminator): void {
    if (this.done.has(this.cur.id)) return;
    t.loc = this.loc;
    this.cur.term = t;
    this.done.add(this.cur.id);
  }
  jmp(target: Block): void {
    this.term({ op: 'jmp', target: target.id });
  }
  br(cond: Value, t: Block, f: Block): void {
    if (cond.kind === 'const') this.jmp(cond.value !== 0n ? t : f);
    else this.term({ op: 'br', cond, then: t.id, else: f.id });
  }
  setBlock(b: Block): void {
    this.cur = b;
  }
  get reachable(): boolean {
    return !this.done.has(this.cur.id);
  }
  alloca(size: number, align: number): Value {
    const dst = this.vreg();
    this.allocas.push({ op: 'alloca', dst, size: Math.max(size, 1), align, loc: this.loc });
    return { kind: 'vreg', id: dst, cls: 'l' };
  }
}

// ---------------------------------------------------------------------------------------------

export interface LowerOptions {
  /** Name of the function the interpreter or the linker starts at (only checked for existence). */
  entry?: string;
}

export function lowerProgram(p: Program, diags: DiagnosticBag): Module {
  return new Lowerer(p, diags).run();
}

class Lowerer {
  checker: ts.TypeChecker;
  entities = new Map<ts.Node, Entity>();
  structs = new Map<StructInfo, StructEntity>();
  funcSyms = new Set<string>();
  module: Module = { funcs: [], globals: [], externs: [] };
  strings = new Map<string, string>();
  typeAliasStack = new Set<ts.Node>();
  // per function
  b: Builder = new Builder();
  fn?: FuncInfo;
  targets: LoopTarget[] = [];
  pendingLabel?: string;
  names = new Map<number, string>(); // the current function's user variables, by vreg (their slot)

  constructor(private p: Program, private diags: DiagnosticBag) {
    this.checker = p.checker;
  }

  error(code: string, msg: string, node: ts.Node): void {
    this.diags.error(code, msg, nodeLoc(node));
  }

  run(): Module {
    const names = this.symbolNames();
    for (const sf of this.p.files) this.collect(sf, names);
    // Variables after every class and enum is known: a type may come from a later file.
    for (const sf of this.p.files) this.collectVariables(sf, names);
    for (const e of this.entities.values()) if (e.kind === 'class') this.layout(e, e.decl);
    for (const e of this.entities.values()) if (e.kind === 'func' || e.kind === 'class') this.signatures(e);
    for (const e of [...this.entities.values()]) {
      if (e.kind === 'global') this.lowerGlobal(e);
      if (e.kind === 'const') this.constValue(e);
    }
    for (const e of [...this.entities.values()]) {
      if (e.kind === 'func' && !e.extern) this.lowerFunc(e);
      if (e.kind === 'class') {
        for (const m of e.methods.values()) this.lowerFunc(m);
        if (e.ctor) this.lowerFunc(e.ctor);
      }
    }
    return this.module;
  }

  // ---- module-level declarations ----

  /**
   * Linker names: exported declarations keep their name (two exports of one name are an error);
   * other names are renamed `name.N` only when two modules would otherwise clash.
   */
  symbolNames(): Map<ts.Node, string> {
    const byName = new Map<string, { node: ts.Node; file: number; exported: boolean }[]>();
    this.p.files.forEach((sf, file) => {
      for (const stmt of sf.statements) {
        for (const { node, name, exported } of topLevelNames(stmt)) {
          if (!byName.has(name)) byName.set(name, []);
          byName.get(name)!.push({ node, file, exported });
        }
      }
    });
    const out = new Map<ts.Node, string>();
    for (const [name, decls] of byName) {
      if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) this.error(C.BAD_SYMBOL_NAME, `'${name}' cannot be a linker symbol: use ASCII letters, digits, '_' and '$'`, decls[0].node);
      const exported = decls.filter((d) => d.exported);
      for (const d of exported.slice(1)) this.error(C.DUPLICATE_SYMBOL, `'${name}' is exported by two modules`, d.node);
      const files = new Set(decls.map((d) => d.file));
      for (const d of decls) out.set(d.node, d.exported || files.size === 1 ? name : `${name}.${d.file + 1}`);
    }
    return out;
  }

  collect(sf: ts.SourceFile, names: Map<ts.Node, string>): void {
    for (const stmt of sf.statements) {
      const exported = isExported(stmt);
      if (ts.isFunctionDeclaration(stmt) && stmt.name) {
        const extern = !stmt.body;
        if (extern && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) continue; // an overload (refused by check.ts)
        this.funcSyms.add(extern ? stmt.name.text : names.get(stmt)!);
        this.entities.set(stmt, {
          kind: 'func', sym: extern ? stmt.name.text : names.get(stmt)!, decl: stmt, params: [], ret: VOID, type: ERROR,
          exported: exported || extern, extern,
        });
      } else if (ts.isClassDeclaration(stmt) && stmt.name) {
        const prefix = names.get(stmt)!;
        const info: StructInfo = { name: stmt.name.text, symbolPrefix: prefix, fields: [], fieldMap: new Map(), size: 0, align: 1, laidOut: false };
        const ent: StructEntity = { kind: 'class', info, decl: stmt, methods: new Map(), statics: new Map(), staticValues: new Map() };
        for (const m of stmt.members) {
          if (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.body && !hasModifier(m, ts.SyntaxKind.StaticKeyword)) {
            ent.methods.set(m.name.text, {
              kind: 'func', sym: `${prefix}.${m.name.text}`, decl: m, params: [], ret: VOID, type: ERROR, exported, extern: false, struct: info,
            });
          }
          if (ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && hasModifier(m, ts.SyntaxKind.StaticKeyword)) ent.statics.set(m.name.text, m);
        }
        const ctor = stmt.members.find(ts.isConstructorDeclaration);
        const hasInit = stmt.members.some((m) => ts.isPropertyDeclaration(m) && m.initializer && !hasModifier(m, ts.SyntaxKind.StaticKeyword));
        if (ctor || hasInit) {
          ent.ctor = { kind: 'func', sym: `${prefix}.constructor`, decl: ctor ?? stmt, params: [], ret: VOID, type: ERROR, exported, extern: false, struct: info, ctorOf: stmt };
        }
        this.entities.set(stmt, ent);
        this.structs.set(info, ent);
      } else if (ts.isEnumDeclaration(stmt)) {
        const members = new Map<string, bigint>();
        let next = 0n;
        for (const m of stmt.members) {
          if (m.initializer) next = literalValue(m.initializer) ?? next;
          members.set(m.name.getText(), next);
          next++;
        }
        this.entities.set(stmt, { kind: 'enum', members });
      }
    }
  }

  collectVariables(sf: ts.SourceFile, names: Map<ts.Node, string>): void {
    for (const stmt of sf.statements) {
      if (!ts.isVariableStatement(stmt)) continue;
      const exported = isExported(stmt);
      const isConst = !!(stmt.declarationList.flags & ts.NodeFlags.Const);
      const declared = hasModifier(stmt, ts.SyntaxKind.DeclareKeyword);
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        const type = d.type ? this.resolveType(d.type) : ERROR;
        if (!d.type && (declared || !d.initializer)) this.error(C.MISSING_TYPE, `module variable '${d.name.text}' needs a type annotation`, d.name);
        const scalarConst = isConst && !declared && (isInt(type) || type.kind === 'bool' || type.kind === 'string' || (!d.type && !!d.initializer && !ts.isArrayLiteralExpression(d.initializer)));
        if (scalarConst) this.entities.set(d, { kind: 'const', type: d.type ? type : ERROR, decl: d });
        else this.entities.set(d, { kind: 'global', type, sym: declared ? d.name.text : names.get(d)!, decl: d, exported: exported || declared, extern: declared, constant: isConst });
      }
    }
  }

  /** Lays out a class's instance fields (System V), once; a by-value cycle is an error. */
  layout(ent: StructEntity, at: ts.Node): void {
    const s = ent.info;
    if (s.laidOut) return;
    if (this.typeAliasStack.has(ent.decl)) {
      this.error(C.STRUCT_CYCLE, `struct '${s.name}' contains itself by value`, at);
      s.laidOut = true;
      return;
    }
    this.typeAliasStack.add(ent.decl);
    const fields: { name: string; type: Type }[] = [];
    for (const m of ent.decl.members) {
      if (!ts.isPropertyDeclaration(m) || hasModifier(m, ts.SyntaxKind.StaticKeyword) || !ts.isIdentifier(m.name)) continue;
      if (!m.type) {
        this.error(C.MISSING_TYPE, `field '${m.name.text}' needs a type annotation`, m.name);
        continue;
      }
      const t = this.resolveType(m.type, true);
      if (m.initializer && isAggregate(t)) {
        this.error(C.INLINE_FIELD_INIT, `inline field '${m.name.text}' cannot have an initialiser: declare it as '${m.name.text}!: ${typeName(t)}'`, m.initializer);
      }
      if (t.kind === 'void' || t.kind === 'never' || t.kind === 'fmt') this.error(C.TYPE_MISMATCH, `a field cannot have type ${typeName(t)}`, m.type);
      fields.push({ name: m.name.text, type: t });
    }
    this.typeAliasStack.delete(ent.decl);
    if (!s.laidOut) layoutStruct(s, fields);
  }

  signatures(e: FuncInfo | StructEntity): void {
    if (e.kind === 'class') {
      for (const m of e.methods.values()) this.signatures(m);
      if (e.ctor) this.signatures(e.ctor);
      return;
    }
    const decl = e.decl;
    if (e.struct) e.params.push({ name: 'this', type: { kind: 'ref', struct: e.struct } });
    if (!ts.isClassDeclaration(decl)) {
      for (const p of decl.parameters) {
        if (p.dotDotDotToken) continue; // refused by check.ts
        const name = ts.isIdentifier(p.name) ? p.name.text : 'arg';
        let t: Type = p.type ? this.resolveType(p.type) : ERROR;
        if (isAggregate(t) || t.kind === 'void' || t.kind === 'never') {
          this.error(C.PARAM_TYPE, `a parameter cannot have type ${typeName(t)}: pass a reference`, p.type ?? p);
          t = ERROR;
        }
        e.params.push({ name, type: t, decl: p });
      }
      if (decl.type) e.ret = this.resolveType(decl.type);
      else if (!ts.isConstructorDeclaration(decl) && decl.body && returnsValue(decl.body)) {
        this.error(C.RETURN_TYPE, 'a function that returns a value needs a return type annotation', decl.name ?? decl);
        e.ret = ERROR;
      }
      if (isAggregate(e.ret)) {
        this.error(C.PARAM_TYPE, `a function cannot return ${typeName(e.ret)}: return a reference`, decl.type!);
        e.ret = ERROR;
      }
    }
    e.type = { kind: 'func', params: e.params.filter((p) => p.name !== 'this' || !e.struct).map((p) => p.type), ret: e.ret };
    if (e.extern && !this.module.externs.includes(e.sym)) this.module.externs.push(e.sym);
  }

  // ---- types from annotations ----

  resolveType(node: ts.TypeNode, field = false): Type {
    switch (node.kind) {
      case ts.SyntaxKind.BooleanKeyword:
        return BOOL;
      case ts.SyntaxKind.StringKeyword:
        return STRING;
      case ts.SyntaxKind.VoidKeyword:
        return VOID;
      case ts.SyntaxKind.NeverKeyword:
        return NEVER;
      case ts.SyntaxKind.ParenthesizedType:
        return this.resolveType((node as ts.ParenthesizedTypeNode).type, field);
      case ts.SyntaxKind.UnionType: {
        const u = node as ts.UnionTypeNode;
        const rest = u.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
        if (rest.length !== 1 || u.types.length !== 2) return ERROR; // refused by check.ts
        const t = this.resolveType(rest[0], field);
        if (t.kind !== 'ref' && t.kind !== 'func' && t.kind !== 'string' && t.kind !== 'error') {
          this.error(C.UNION, `'${typeName(t)} | null': only references (class types, functions, strings) can be null`, node);
          return ERROR;
        }
        return t;
      }
      case ts.SyntaxKind.ArrayType:
        return { kind: 'table', elem: this.resolveType((node as ts.ArrayTypeNode).elementType), length: -1 };
      case ts.SyntaxKind.TypeOperator: {
        const op = node as ts.TypeOperatorNode;
        if (op.operator === ts.SyntaxKind.ReadonlyKeyword && ts.isArrayTypeNode(op.type)) return this.resolveType(op.type);
        this.error(C.UNSUPPORTED_TYPE, `type operator '${node.getText()}' is not supported`, node);
        return ERROR;
      }
      case ts.SyntaxKind.FunctionType: {
        const f = node as ts.FunctionTypeNode;
        const params = f.parameters.map((p) => (p.type ? this.resolveType(p.type) : ERROR));
        return { kind: 'func', params, ret: this.resolveType(f.type) };
      }
      case ts.SyntaxKind.TypeReference:
        return this.resolveTypeRef(node as ts.TypeReferenceNode, field);
      case ts.SyntaxKind.AnyKeyword: case ts.SyntaxKind.UnknownKeyword: case ts.SyntaxKind.NumberKeyword:
      case ts.SyntaxKind.BigIntKeyword: case ts.SyntaxKind.ObjectKeyword: case ts.SyntaxKind.SymbolKeyword:
      case ts.SyntaxKind.UndefinedKeyword: case ts.SyntaxKind.TupleType: case ts.SyntaxKind.TypeLiteral:
      case ts.SyntaxKind.IntersectionType: case ts.SyntaxKind.TypeQuery: case ts.SyntaxKind.IndexedAccessType:
      case ts.SyntaxKind.ConditionalType: case ts.SyntaxKind.MappedType: case ts.SyntaxKind.LiteralType:
        return ERROR; // refused by check.ts
      default:
        this.error(C.UNSUPPORTED_TYPE, `type '${node.getText()}' is not supported`, node);
        return ERROR;
    }
  }

  resolveTypeRef(node: ts.TypeReferenceNode, field: boolean): Type {
    const name = node.typeName.getText();
    const args = node.typeArguments ?? [];
    const decl = this.declOf(node.typeName);
    const fromPrelude = !decl || decl.getSourceFile().isDeclarationFile;
    if (fromPrelude) {
      if (INT_TYPES[name]) return INT_TYPES[name];
      if (name === 'bool') return BOOL;
      if (name === 'fmt') return FMT;
      if (name === 'Inline' && args.length === 1) {
        const t = this.resolveType(args[0], field);
        if (t.kind === 'ref') {
          const ent = this.structEntity(t.struct);
          if (ent) this.layout(ent, node);
          return { kind: 'inline', struct: t.struct };
        }
        if (t.kind !== 'error') this.error(C.UNSUPPORTED_TYPE, `Inline<T> needs a class type, not ${typeName(t)}`, node);
        return ERROR;
      }
      if (name === 'InlineArray' && args.length === 2) {
        let elem = this.resolveType(args[0], true);
        const lenNode = args[1];
        const len = ts.isLiteralTypeNode(lenNode) ? literalValue(lenNode.literal as ts.Expression) : null;
        if (len === null || len < 0n || len > 0x7fffffffn) {
          this.error(C.ARRAY_LENGTH, 'the length of an InlineArray must be an integer literal', lenNode);
          return ERROR;
        }
        if (elem.kind === 'void' || elem.kind === 'never' || elem.kind === 'fmt') {
          this.error(C.UNSUPPORTED_TYPE, `InlineArray of ${typeName(elem)} is not supported`, args[0]);
          elem = ERROR;
        }
        return { kind: 'array', elem, length: Number(len) };
      }
      if ((name === 'ReadonlyArray' || name === 'Array') && args.length === 1) return { kind: 'table', elem: this.resolveType(args[0]), length: -1 };
      if (!decl) return ERROR; // TypeScript reports the unknown name
      this.error(C.UNSUPPORTED_TYPE, `type '${name}' is not supported`, node);
      return ERROR;
    }
    if (ts.isTypeParameterDeclaration(decl)) return ERROR; // generics, refused by check.ts
    const ent = this.entities.get(decl);
    if (ent?.kind === 'class') return { kind: 'ref', struct: ent.info };
    if (ent?.kind === 'enum') return I32;
    if (ts.isTypeAliasDeclaration(decl)) {
      if (this.typeAliasStack.has(decl)) {
        this.error(C.UNSUPPORTED_TYPE, `type alias '${name}' refers to itself`, node);
        return ERROR;
      }
      this.typeAliasStack.add(decl);
      const t = this.resolveType(decl.type, field);
      this.typeAliasStack.delete(decl);
      return t;
    }
    if (ts.isInterfaceDeclaration(decl)) {
      this.error(C.UNSUPPORTED_TYPE, `interface types are not supported: declare '${name}' as a class`, node);
      return ERROR;
    }
    this.error(C.UNSUPPORTED_TYPE, `type '${name}' is not supported`, node);
    return ERROR;
  }

  structEntity(s: StructInfo): StructEntity | undefined {
    return this.structs.get(s);
  }

  /** The declaration a name refers to, through imports. */
  declOf(node: ts.Node): ts.Declaration | undefined {
    let sym = this.checker.getSymbolAtLocation(node);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    return sym?.declarations?.[0] ?? (sym?.valueDeclaration as ts.Declaration | undefined);
  }

  // ---- module variables, constants and tables ----

  lowerGlobal(e: Extract<Entity, { kind: 'global' }>): void {
    const d = e.decl;
    const name = (d.name as ts.Identifier).text;
    let t = e.type;
    if (e.extern) {
      if (!this.module.externs.includes(e.sym)) this.module.externs.push(e.sym);
      return;
    }
    if (!d.type && d.initializer && !ts.isArrayLiteralExpression(d.initializer)) {
      // `let x = 5` at module level: the type of the constant initialiser.
      const tv = this.constExpr(d.initializer);
      t = e.type = tv && tv.t.kind !== 'null' ? tv.t : ERROR;
      if (tv?.t.kind === 'null') this.error(C.MISSING_TYPE, `'${name}' needs a type annotation, such as 'T | null'`, d.name);
    }
    const g: Global = { name: e.sym, exported: e.exported, section: 'bss', align: 8, size: 8, relocs: [], loc: nodeLoc(d) };
    if (t.kind === 'table') {
      const init = d.initializer;
      if (!init || !ts.isArrayLiteralExpression(init)) {
        this.error(C.NOT_CONSTANT, `table '${name}' needs an array literal initialiser`, d.name);
        return;
      }
      t = e.type = { kind: 'table', elem: t.elem, length: init.elements.length };
      const es = sizeOf(t.elem);
      g.size = Math.max(es * init.elements.length, 1);
      g.align = Math.max(alignOf(t.elem), 1);
      g.bytes = new Uint8Array(g.size);
      init.elements.forEach((el, i) => this.constInto(g, i * es, el, t.kind === 'table' ? t.elem : ERROR));
      g.section = e.constant ? 'rodata' : 'data';
    } else {
      g.size = Math.max(sizeOf(t), 1);
      g.align = Math.max(alignOf(t), 1);
      if (d.initializer && !isAggregate(t)) {
        g.bytes = new Uint8Array(g.size);
        this.constInto(g, 0, d.initializer, t);
        g.section = g.bytes.some((x) => x) || g.relocs.length ? 'data' : 'bss';
        if (g.section === 'bss') g.bytes = undefined;
      } else if (!isAggregate(t) && !d.exclamationToken && t.kind !== 'error') {
        this.error(C.NOT_CONSTANT, `module variable '${name}' needs an initialiser (or '!' for zeroed storage)`, d.name);
      }
    }
    this.module.globals.push(g);
  }

  /** Evaluates a constant initialiser into a global's bytes (integers, bools, null, strings, functions). */
  constInto(g: Global, offset: number, node: ts.Expression, t: Type): void {
    const tv = this.constExpr(node, t);
    if (!tv) return;
    const v = tv.v;
    const width = sizeOf(t);
    if (v.kind === 'sym') {
      g.relocs.push({ offset, width: 8, sym: v.name, addend: v.addend });
    } else if (v.kind === 'const') {
      let x = BigInt.asUintN(width * 8, v.value);
      for (let i = 0; i < width; i++, x >>= 8n) g.bytes![offset + i] = Number(x & 0xffn);
    }
  }

  /** Lowers an expression in a scratch function; it is a constant if it folded to a const or a symbol. */
  constExpr(node: ts.Expression, want?: Type): TV | null {
    const saved = { b: this.b, fn: this.fn };
    this.b = new Builder();
    this.fn = undefined;
    let tv: TV;
    try {
      tv = want ? { t: want, v: this.exprAs(node, want) } : this.expr(node);
    } finally {
      const scratch = this.b;
      this.b = saved.b;
      this.fn = saved.fn;
      if (tv!?.t.kind !== 'error' && (scratch.blocks.length > 1 || scratch.blocks[0].insts.length > 0 || tv!.v.kind === 'vreg')) {
        this.error(C.NOT_CONSTANT, 'expected a compile-time constant expression', node);
        tv! = ZERO_TV;
      }
    }
    return tv.t.kind === 'error' ? null : tv;
  }

  constValue(e: Extract<Entity, { kind: 'const' }>): TV | null {
    if (e.value !== undefined) return e.value;
    if (e.evaluating) {
      this.error(C.NOT_CONSTANT, `constant '${e.decl.name.getText()}' depends on itself`, e.decl.name);
      return (e.value = null);
    }
    e.evaluating = true;
    const init = e.decl.initializer;
    let tv: TV | null = null;
    if (!init) this.error(C.NOT_CONSTANT, `constant '${e.decl.name.getText()}' needs an initialiser`, e.decl.name);
    else tv = this.constExpr(init, e.type.kind === 'error' && !e.decl.type ? undefined : e.type);
    e.evaluating = false;
    return (e.value = tv);
  }

  stringSym(text: string): string {
    let sym = this.strings.get(text);
    if (!sym) {
      sym = `__str.${this.strings.size}`;
      this.strings.set(text, sym);
      const utf8 = new TextEncoder().encode(text);
      const bytes = new Uint8Array(8 + utf8.length + 1);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(utf8.length), true);
      bytes.set(utf8, 8);
      this.module.globals.push({ name: sym, exported: false, section: 'rodata', align: 8, size: bytes.length, bytes, relocs: [] });
    }
    return sym;
  }

  // ---- functions ----

  lowerFunc(f: FuncInfo): void {
    this.b = new Builder();
    this.fn = f;
    this.targets = [];
    const b = this.b;
    const decl = f.decl;
    b.loc = nodeLoc(decl);
    const func: Func = {
      name: f.sym, exported: f.exported, params: [], ret: f.ret.kind === 'void' || f.ret.kind === 'never' ? undefined : clsOf(f.ret),
      blocks: [], nextVreg: 0, inline: inlineTag(decl), loc: b.loc, names: new Map(),
    };
    this.names = func.names!;
    for (const p of f.params) {
      const cls = clsOf(p.type);
      const vreg = b.vreg();
      func.params.push({ vreg, cls, name: p.name });
      const slot = b.alloca(cls === 'l' ? 8 : 4, cls === 'l' ? 8 : 4);
      b.emit({ op: 'store', addr: slot, value: { kind: 'vreg', id: vreg, cls }, width: cls === 'l' ? 8 : 4 });
      const key: ts.Node = p.decl ?? decl;
      this.entities.set(p.name === 'this' ? thisKey(decl) : key, { kind: 'local', type: p.type, addr: slot, aggregate: false });
      func.names!.set(vreg, p.name);
    }
    if (f.ctorOf) this.fieldInitialisers(f);
    const body = ts.isClassDeclaration(decl) ? undefined : decl.body;
    if (body) this.block(body);
    if (b.reachable) {
      if (f.ret.kind === 'void' || f.ret.kind === 'error') b.term({ op: 'ret' });
      else b.term({ op: 'unreachable' });
    }
    func.blocks = finishBlocks(b);
    func.nextVreg = b.nextVreg;
    this.module.funcs.push(func);
  }

  /** A constructor first stores the field initialisers, in declaration order. */
  fieldInitialisers(f: FuncInfo): void {
    const cls = f.ctorOf!;
    const self = this.loadLocal(thisKey(f.decl));
    for (const m of cls.members) {
      if (!ts.isPropertyDeclaration(m) || !m.initializer || hasModifier(m, ts.SyntaxKind.StaticKeyword) || !ts.isIdentifier(m.name)) continue;
      const field = f.struct!.fieldMap.get(m.name.text);
      if (!field || isAggregate(field.type)) continue;
      this.b.loc = nodeLoc(m);
      const v = this.exprAs(m.initializer, field.type);
      const { width } = memAccess(field.type);
      this.b.emit({ op: 'store', addr: this.addOffset(self.v, BigInt(field.offset)), value: v, width });
    }
  }

  loadLocal(key: ts.Node): TV {
    const e = this.entities.get(key);
    if (!e || e.kind !== 'local') return ZERO_TV;
    const cls = clsOf(e.type);
    return { t: e.type, v: this.load(e.addr, cls === 'l' ? 8 : 4, false, cls) };
  }

  // ---- statements ----

  block(node: ts.Block): void {
    for (const s of node.statements) this.stmt(s);
  }

  stmt(s: ts.Statement): void {
    this.b.loc = nodeLoc(s);
    const label = this.pendingLabel;
    this.pendingLabel = undefined;
    switch (s.kind) {
      case ts.SyntaxKind.Block:
        return this.block(s as ts.Block);
      case ts.SyntaxKind.EmptyStatement:
        return;
      case ts.SyntaxKind.VariableStatement:
        for (const d of (s as ts.VariableStatement).declarationList.declarations) this.localVar(d);
        return;
      case ts.SyntaxKind.ExpressionStatement:
        this.expr((s as ts.ExpressionStatement).expression, undefined, true);
        return;
      case ts.SyntaxKind.IfStatement:
        return this.ifStmt(s as ts.IfStatement);
      case ts.SyntaxKind.WhileStatement:
        return this.whileStmt(s as ts.WhileStatement, label);
      case ts.SyntaxKind.DoStatement:
        return this.doStmt(s as ts.DoStatement, label);
      case ts.SyntaxKind.ForStatement:
        return this.forStmt(s as ts.ForStatement, label);
      case ts.SyntaxKind.SwitchStatement:
        return this.switchStmt(s as ts.SwitchStatement);
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement:
        return this.jumpStmt(s as ts.BreakOrContinueStatement);
      case ts.SyntaxKind.ReturnStatement:
        return this.returnStmt(s as ts.ReturnStatement);
      case ts.SyntaxKind.LabeledStatement: {
        const l = s as ts.LabeledStatement;
        this.pendingLabel = l.label.text;
        return this.stmt(l.statement);
      }
      default:
        // Everything else was refused by check.ts (try, throw, for-of, declarations in functions ...).
        if (ts.isFunctionDeclaration(s) || ts.isTryStatement(s) || ts.isThrowStatement(s) || ts.isTypeAliasDeclaration(s) ||
            ts.isForInStatement(s) || ts.isForOfStatement(s) || ts.isDebuggerStatement(s) || ts.isModuleDeclaration(s)) return;
        if (ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isInterfaceDeclaration(s)) {
          this.error(C.BAD_DECLARATION, 'classes, enums and interfaces must be declared at module level', s);
          return;
        }
        this.error(C.BAD_DECLARATION, `${ts.SyntaxKind[s.kind]} is not supported inside a function`, s);
    }
  }

  localVar(d: ts.VariableDeclaration): void {
    if (!ts.isIdentifier(d.name)) return; // destructuring, refused by check.ts
    let t: Type;
    let init: TV | undefined;
    if (d.type) {
      t = this.resolveType(d.type);
    } else if (d.initializer) {
      init = this.expr(d.initializer);
      t = init.t.kind === 'null' ? ERROR : init.t;
      if (init.t.kind === 'null') this.error(C.MISSING_TYPE, `'${d.name.text}' needs a type annotation, such as 'T | null'`, d.name);
      if (t.kind === 'void') {
        this.error(C.VOID_VALUE, 'a void call has no value', d.initializer);
        t = ERROR;
      }
    } else {
      this.error(C.MISSING_TYPE, `'${d.name.text}' needs a type annotation or an initialiser`, d.name);
      t = ERROR;
    }
    if (t.kind === 'fmt') {
      this.error(C.FMT_USE, 'a fmt value can only be passed on to a fmt parameter', d.name);
      t = ERROR;
    }
    if (isAggregate(t)) {
      // A local InlineArray or Inline struct: stack storage; the name gives its address.
      const addr = this.b.alloca(sizeOf(t), Math.max(alignOf(t), 1));
      if (addr.kind === 'vreg') this.names.set(addr.id, d.name.text);
      if (d.initializer) this.error(C.INLINE_FIELD_INIT, `inline variable '${d.name.text}' cannot have an initialiser`, d.initializer);
      this.entities.set(d, { kind: 'local', type: t, addr, aggregate: true });
      return;
    }
    const cls = clsOf(t);
    const addr = this.b.alloca(cls === 'l' ? 8 : 4, cls === 'l' ? 8 : 4);
    if (addr.kind === 'vreg') this.names.set(addr.id, d.name.text);
    this.entities.set(d, { kind: 'local', type: t, addr, aggregate: false });
    const v = init ? this.coerce(init, t, d.initializer!) : d.initializer ? this.exprAs(d.initializer, t) : konst(0n, cls);
    this.b.emit({ op: 'store', addr, value: v, width: cls === 'l' ? 8 : 4 });
  }

  ifStmt(s: ts.IfStatement): void {
    const b = this.b;
    const then = b.newBlock();
    const end = b.newBlock();
    const els = s.elseStatement ? b.newBlock() : end;
    this.cond(s.expression, then, els);
    b.setBlock(then);
    this.stmt(s.thenStatement);
    b.jmp(end);
    if (s.elseStatement) {
      b.setBlock(els);
      this.stmt(s.elseStatement);
      b.jmp(end);
    }
    b.setBlock(end);
  }

  loop(label: string | undefined, brk: Block, cont: Block, body: ts.Statement): void {
    this.targets.push({ label, brk: brk.id, cont: cont.id });
    this.stmt(body);
    this.targets.pop();
  }

  whileStmt(s: ts.WhileStatement, label?: string): void {
    const b = this.b;
    const head = b.newBlock();
    const body = b.newBlock();
    const end = b.newBlock();
    b.jmp(head);
    b.setBlock(head);
    this.cond(s.expression, body, end);
    b.setBlock(body);
    this.loop(label, end, head, s.statement);
    b.jmp(head);
    b.setBlock(end);
  }

  doStmt(s: ts.DoStatement, label?: string): void {
    const b = this.b;
    const body = b.newBlock();
    const test = b.newBlock();
    const end = b.newBlock();
    b.jmp(body);
    b.setBlock(body);
    this.loop(label, end, test, s.statement);
    b.jmp(test);
    b.setBlock(test);
    this.b.loc = nodeLoc(s.expression);
    this.cond(s.expression, body, end);
    b.setBlock(end);
  }

  forStmt(s: ts.ForStatement, label?: string): void {
    const b = this.b;
    if (s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) for (const d of s.initializer.declarations) this.localVar(d);
      else this.expr(s.initializer, undefined, true);
    }
    const head = b.newBlock();
    const body = b.newBlock();
    const step = b.newBlock();
    const end = b.newBlock();
    b.jmp(head);
    b.setBlock(head);
    if (s.condition) this.cond(s.condition, body, end);
    else b.jmp(body);
    b.setBlock(body);
    this.loop(label, end, step, s.statement);
    b.jmp(step);
    b.setBlock(step);
    if (s.incrementor) {
      this.b.loc = nodeLoc(s.incrementor);
      this.expr(s.incrementor, undefined, true);
    }
    b.jmp(head);
    b.setBlock(end);
  }

  /** JS switch: the cases are tested in order; bodies fall through; default may be anywhere. */
  switchStmt(s: ts.SwitchStatement): void {
    const b = this.b;
    const disc = this.expr(s.expression);
    if (!isInt(disc.t) && disc.t.kind !== 'bool' && disc.t.kind !== 'error') {
      this.error(C.BAD_OPERAND, `switch needs an integer, not ${typeName(disc.t)}`, s.expression);
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
      this.b.loc = nodeLoc(c);
      const v = this.exprAs(c.expression, disc.t.kind === 'error' ? I32 : disc.t);
      // Cases are constants and distinct, as in C: a switch is a jump table, not a chain of ifs.
      if (v.kind !== 'const' && disc.t.kind !== 'error') this.error(C.SWITCH_CASE, 'a case label must be a constant expression', c.expression);
      else if (v.kind === 'const' && seen.has(v.value)) this.error(C.SWITCH_CASE, `duplicate case value ${c.expression.getText()}`, c.expression);
      if (v.kind === 'const') seen.add(v.value);
      const next = b.newBlock();
      this.b.br(this.compare('eq', disc.t, disc.v, v), bodies[i], next);
      b.setBlock(next);
    });
    b.jmp(defaultBody);
    this.targets.push({ brk: end.id });
    clauses.forEach((c, i) => {
      b.setBlock(bodies[i]);
      for (const st of c.statements) this.stmt(st);
      b.jmp(i + 1 < bodies.length ? bodies[i + 1] : end);
    });
    this.targets.pop();
    b.setBlock(end);
  }

  jumpStmt(s: ts.BreakOrContinueStatement): void {
    const isBreak = s.kind === ts.SyntaxKind.BreakStatement;
    const label = s.label?.text;
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i];
      if (label ? t.label === label : isBreak || t.cont !== undefined) {
        const target = isBreak ? t.brk : t.cont;
        if (target === undefined) break;
        this.b.term({ op: 'jmp', target });
        return;
      }
    }
    // TypeScript reports jumps to unknown labels, and check.ts labels on anything but loops.
  }

  returnStmt(s: ts.ReturnStatement): void {
    const ret = this.fn?.ret ?? VOID;
    if (s.expression) {
      if (ret.kind === 'void') {
        const tv = this.expr(s.expression);
        if (tv.t.kind !== 'void' && tv.t.kind !== 'error') this.error(C.TYPE_MISMATCH, 'a void function cannot return a value', s.expression);
        this.b.term({ op: 'ret' });
        return;
      }
      const v = this.exprAs(s.expression, ret);
      if (ret.kind === 'never') this.b.term({ op: 'unreachable' });
      else this.b.term({ op: 'ret', value: ret.kind === 'error' ? undefined : v });
    } else {
      this.b.term({ op: 'ret' });
    }
  }

  // ---- conditions ----

  /** Branches on a condition, short-circuiting && || and !. */
  cond(node: ts.Expression, t: Block, f: Block): void {
    const b = this.b;
    node = skipParens(node);
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) return this.cond(node.operand, f, t);
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
        const mid = b.newBlock();
        if (op === ts.SyntaxKind.AmpersandAmpersandToken) this.cond(node.left, mid, f);
        else this.cond(node.left, t, mid);
        b.setBlock(mid);
        return this.cond(node.right, t, f);
      }
    }
    b.br(this.condValue(node), t, f);
  }

  /** A condition's truth as a w value: bools as they are, integers and references != 0. */
  condValue(node: ts.Expression): Value {
    const tv = this.expr(node);
    return this.truth(tv, node);
  }

  truth(tv: TV, node: ts.Node): Value {
    if (tv.t.kind === 'bool' || tv.t.kind === 'error') return tv.v;
    if (isInt(tv.t) || tv.t.kind === 'ref' || tv.t.kind === 'func' || tv.t.kind === 'string' || tv.t.kind === 'null') {
      return this.cmp('ne', clsOf(tv.t), tv.v, konst(0n, clsOf(tv.t)));
    }
    this.error(C.BAD_CONDITION, `a condition must be a bool, an integer or a reference, not ${typeName(tv.t)}`, node);
    return W(0n);
  }

  // ---- expressions ----

  /** Lowers an expression with an optional contextual type (which only literals and null adopt). */
  expr(node: ts.Expression, want?: Type, discard = false): TV {
    const saved = this.b.loc;
    this.b.loc = nodeLoc(node);
    const tv = this.exprInner(node, want, discard);
    this.b.loc = saved;
    return tv;
  }

  exprInner(node: ts.Expression, want: Type | undefined, discard: boolean): TV {
    switch (node.kind) {
      case ts.SyntaxKind.NumericLiteral:
        return this.numericLiteral(node as ts.NumericLiteral, 1n, want);
      case ts.SyntaxKind.TrueKeyword:
        return { t: BOOL, v: W(1n) };
      case ts.SyntaxKind.FalseKeyword:
        return { t: BOOL, v: W(0n) };
      case ts.SyntaxKind.NullKeyword:
        return { t: want && (want.kind === 'ref' || want.kind === 'func' || want.kind === 'string') ? want : NULL, v: konst(0n, 'l') };
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        return { t: STRING, v: { kind: 'sym', name: this.stringSym((node as ts.StringLiteral).text), addend: 8n } };
      case ts.SyntaxKind.TemplateExpression:
        this.error(C.STRING_CONCAT, 'a template literal with holes can only be passed to a fmt parameter (there is no string concatenation)', node);
        return ZERO_TV;
      case ts.SyntaxKind.ParenthesizedExpression:
        return this.expr((node as ts.ParenthesizedExpression).expression, want, discard);
      case ts.SyntaxKind.NonNullExpression:
        return this.expr((node as ts.NonNullExpression).expression, want);
      case ts.SyntaxKind.Identifier:
        return this.identifier(node as ts.Identifier);
      case ts.SyntaxKind.ThisKeyword:
        return this.thisValue(node);
      case ts.SyntaxKind.PrefixUnaryExpression:
        return this.prefixUnary(node as ts.PrefixUnaryExpression, want);
      case ts.SyntaxKind.PostfixUnaryExpression: {
        const u = node as ts.PostfixUnaryExpression;
        return this.incDec(u.operand, u.operator === ts.SyntaxKind.PlusPlusToken ? 'add' : 'sub', !discard, u);
      }
      case ts.SyntaxKind.BinaryExpression:
        return this.binary(node as ts.BinaryExpression, want);
      case ts.SyntaxKind.ConditionalExpression:
        return this.conditional(node as ts.ConditionalExpression, want);
      case ts.SyntaxKind.CallExpression:
        return this.call(node as ts.CallExpression, want);
      case ts.SyntaxKind.PropertyAccessExpression:
        return this.propertyAccess(node as ts.PropertyAccessExpression);
      case ts.SyntaxKind.ElementAccessExpression: {
        const lv = this.lvalue(node);
        return lv ? this.readLValue(lv) : ZERO_TV;
      }
      case ts.SyntaxKind.NewExpression:
        return this.newExpr(node as ts.NewExpression);
      default:
        // Refused constructs were reported by check.ts; anything else is reported here.
        if (!isRefusedExpression(node)) this.error(C.BAD_DECLARATION, `${ts.SyntaxKind[node.kind]} is not supported`, node);
        return ZERO_TV;
    }
  }

  numericLiteral(node: ts.NumericLiteral, sign: bigint, want: Type | undefined, at: ts.Node = node): TV {
    const text = node.getText();
    if (/^[0-9]/.test(text) && /[.eE]/.test(text) && !/^0[xX]/.test(text)) return ZERO_TV; // float, refused by check.ts
    const value = sign * BigInt(text.replace(/_/g, ''));
    if (want && isInt(want)) {
      const [lo, hi] = intRange(want);
      if (value < lo || value > hi) {
        this.error(C.LITERAL_RANGE, `literal ${sign < 0n ? '-' : ''}${text} does not fit in ${want.name} (${lo}..${hi})`, at);
        return { t: want, v: konst(0n, clsOf(want)) };
      }
      return { t: want, v: konst(value, clsOf(want)) };
    }
    for (const t of [I32, I64, U64]) {
      const [lo, hi] = intRange(t);
      if (value >= lo && value <= hi) return { t, v: konst(value, clsOf(t)) };
    }
    this.error(C.LITERAL_RANGE, `literal ${text} does not fit in 64 bits`, at);
    return ZERO_TV;
  }

  identifier(node: ts.Identifier): TV {
    const decl = this.declOf(node);
    if (!decl) {
      return ZERO_TV; // TypeScript reports unknown names (and check.ts library names, `undefined`)
    }
    const e = this.entities.get(decl);
    if (!e) {
      const name = node.text;
      if (decl.getSourceFile().isDeclarationFile && name in BUILTIN_CONSTS) return { t: INT_TYPES.u32, v: W(BUILTIN_CONSTS[name]) };
      if (decl.getSourceFile().isDeclarationFile) {
        this.error(C.NOT_CALLABLE, `'${name}' is an intrinsic: call it`, node);
        return ZERO_TV;
      }
      return ZERO_TV; // declared by a construct check.ts refused (nested function, destructuring ...)
    }
    switch (e.kind) {
      case 'local':
        if (e.aggregate) return aggregateValue(e.type, e.addr);
        return { t: e.type, v: this.load(e.addr, clsOf(e.type) === 'l' ? 8 : 4, false, clsOf(e.type)) };
      case 'global': {
        const addr: Value = { kind: 'sym', name: e.sym, addend: 0n };
        if (isAggregate(e.type)) return aggregateValue(e.type, addr);
        const { width, signed } = memAccess(e.type);
        if (e.type.kind === 'error') return ZERO_TV;
        return { t: e.type, v: this.load(addr, width, signed, clsOf(e.type)) };
      }
      case 'const': {
        const tv = this.constValue(e);
        return tv ?? ZERO_TV;
      }
      case 'func':
        if (e.struct) break;
        return { t: e.type, v: { kind: 'sym', name: e.sym, addend: 0n } };
      case 'class':
      case 'enum':
        break;
    }
    this.error(C.TYPE_MISMATCH, `'${node.text}' is not a value`, node);
    return ZERO_TV;
  }

  thisValue(node: ts.Node): TV {
    const decl = this.fn?.decl;
    if (!decl || !this.fn?.struct) {
      this.error(C.UNKNOWN_NAME, '`this` is only available in methods and constructors', node);
      return ZERO_TV;
    }
    return this.loadLocal(thisKey(decl));
  }

  prefixUnary(node: ts.PrefixUnaryExpression, want: Type | undefined): TV {
    const op = node.operator;
    if (op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken) {
      return this.incDec(node.operand, op === ts.SyntaxKind.PlusPlusToken ? 'add' : 'sub', false, node);
    }
    if (op === ts.SyntaxKind.ExclamationToken) {
      const v = this.condValue(node.operand);
      return { t: BOOL, v: this.cmp('eq', 'w', v, W(0n)) };
    }
    const operand = skipParens(node.operand);
    if (op === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(operand)) return this.numericLiteral(operand, -1n, want, node);
    const tv = this.expr(node.operand, want);
    if (tv.t.kind === 'error') return tv;
    if (!isInt(tv.t)) {
      this.error(C.BAD_OPERAND, `operator '${ts.tokenToString(op)}' needs an integer, not ${typeName(tv.t)}`, node);
      return ZERO_TV;
    }
    if (op === ts.SyntaxKind.PlusToken) return tv;
    const un = op === ts.SyntaxKind.MinusToken ? 'neg' : 'not';
    return { t: tv.t, v: this.wrap(this.unop(un, clsOf(tv.t), tv.v), tv.t) };
  }

  /** ++ and --: read, add or subtract one, write back; the value is the old one for postfix. */
  incDec(target: ts.Expression, bin: 'add' | 'sub', wantOld: boolean, node: ts.Node): TV {
    const lv = this.lvalue(target);
    if (!lv) return ZERO_TV;
    if (!isInt(lv.t)) {
      if (lv.t.kind !== 'error') this.error(C.BAD_OPERAND, `'++'/'--' need an integer, not ${typeName(lv.t)}`, node);
      return ZERO_TV;
    }
    const old = this.readLValue(lv);
    const cls = clsOf(lv.t);
    const nv = this.wrap(this.binop(bin, cls, old.v, konst(1n, cls)), lv.t);
    this.writeLValue(lv, nv);
    return { t: lv.t, v: wantOld ? old.v : nv };
  }

  binary(node: ts.BinaryExpression, want: Type | undefined): TV {
    const k = node.operatorToken.kind;
    const S = ts.SyntaxKind;
    if (k === S.EqualsToken) {
      const lv = this.lvalue(node.left);
      if (!lv) {
        this.expr(node.right);
        return ZERO_TV;
      }
      const v = this.exprAs(node.right, lv.t);
      this.writeLValue(lv, v);
      return { t: lv.t, v };
    }
    const compound = COMPOUND[k];
    if (compound !== undefined) return this.compoundAssign(node, compound);
    if (k === S.AmpersandAmpersandToken || k === S.BarBarToken) return this.boolValue(node);
    if (k === S.CommaToken || k === S.InstanceOfKeyword || k === S.InKeyword || k === S.AsteriskAsteriskToken || k === S.QuestionQuestionToken) {
      return ZERO_TV; // refused by check.ts
    }
    const cmp = CMP_OPS[k];
    if (cmp) return this.comparison(node, cmp);
    const arith = ARITH_OPS[k];
    if (!arith) {
      this.error(C.BAD_OPERAND, `operator '${node.operatorToken.getText()}' is not supported`, node.operatorToken);
      return ZERO_TV;
    }
    if (arith === 'shl' || arith === 'shr' || arith === 'sar' || arith === 'ushr') {
      const l = this.expr(node.left, want);
      const r = this.expr(node.right);
      return this.shift(arith, l, r, node);
    }
    const [l, r] = this.operands(node.left, node.right, want);
    if (k === S.PlusToken && (l.t.kind === 'string' || r.t.kind === 'string')) {
      this.error(C.STRING_CONCAT, 'string concatenation is not supported: pass a template literal to a fmt parameter', node);
      return ZERO_TV;
    }
    const t = this.unify(l, r, node, node.operatorToken.getText());
    if (!t) return ZERO_TV;
    return { t, v: this.arith(arith, t, this.convert(l, t), this.convert(r, t)) };
  }

  /** Types both operands of a binary operator; a literal operand takes the other operand's type. */
  operands(left: ts.Expression, right: ts.Expression, want: Type | undefined): [TV, TV] {
    const ll = isLiteralish(left);
    const rl = isLiteralish(right);
    if (ll && !rl) {
      const r = this.expr(right, want);
      const l = this.expr(left, isInt(r.t) ? r.t : want);
      return [l, r];
    }
    const l = this.expr(left, want);
    const r = this.expr(right, !ll && rl && isInt(l.t) ? l.t : want);
    return [l, r];
  }

  /** The common integer type of two operands: implicit widening only. */
  unify(l: TV, r: TV, node: ts.Node, op: string): IntType | null {
    if (l.t.kind === 'error' || r.t.kind === 'error') return null;
    if (!isInt(l.t) || !isInt(r.t)) {
      const bad = isInt(l.t) ? r.t : l.t;
      this.error(C.BAD_OPERAND, `operator '${op}' needs integers, not ${typeName(bad)}`, node);
      return null;
    }
    const t = unifyInts(l.t, r.t);
    if (!t) {
      this.error(C.MIXED_SIGNEDNESS, `cannot mix ${l.t.name} and ${r.t.name}: convert one explicitly, e.g. ${r.t.name}(x) or ${l.t.name}(y)`, node);
      return null;
    }
    return t;
  }

  arith(op: string, t: IntType, a: Value, b: Value): Value {
    const cls = clsOf(t);
    const bin: BinOp =
      op === 'div' ? (t.signed ? 'sdiv' : 'udiv') : op === 'rem' ? (t.signed ? 'srem' : 'urem') : (op as BinOp);
    return this.wrap(this.binop(bin, cls, a, b), t);
  }

  shift(op: string, l: TV, r: TV, node: ts.BinaryExpression): TV {
    if (l.t.kind === 'error' || r.t.kind === 'error') return ZERO_TV;
    if (!isInt(l.t) || !isInt(r.t)) {
      this.error(C.BAD_OPERAND, `operator '${node.operatorToken.getText()}' needs integers, not ${typeName(isInt(l.t) ? r.t : l.t)}`, node);
      return ZERO_TV;
    }
    const t = l.t;
    const cls = clsOf(t);
    const count = this.convert(r, cls === 'l' ? U64 : INT_TYPES.u32);
    // Narrow values shift as their sign- or zero-extended 32-bit selves, as in JavaScript (and C's
    // promotion to int); the result then wraps to the operand's type.
    let bin: BinOp = op === 'shl' ? 'shl' : op === 'ushr' ? 'shr' : t.signed ? 'sar' : 'shr';
    if (op === 'sar' && !t.signed) bin = 'shr';
    return { t, v: this.wrap(this.binop(bin, cls, l.v, count), t) };
  }

  comparison(node: ts.BinaryExpression, op: CmpOp): TV {
    const [l, r] = this.operands(node.left, node.right, undefined);
    if (l.t.kind === 'error' || r.t.kind === 'error') return { t: BOOL, v: W(0n) };
    const isEq = op === 'eq' || op === 'ne';
    if (isInt(l.t) && isInt(r.t)) {
      const t = this.unify(l, r, node, node.operatorToken.getText());
      if (!t) return { t: BOOL, v: W(0n) };
      return { t: BOOL, v: this.compare(op, t, this.convert(l, t), this.convert(r, t)) };
    }
    if (isEq && l.t.kind === 'bool' && r.t.kind === 'bool') return { t: BOOL, v: this.cmp(op, 'w', l.v, r.v) };
    if (isEq && l.t.kind === 'string' && r.t.kind === 'string') {
      this.error(C.STRING_COMPARE, 'strings cannot be compared with == (it would compare addresses): compare the bytes with memcmp', node);
      return { t: BOOL, v: W(0n) };
    }
    if (isEq && isRefLike(l.t) && isRefLike(r.t) && (l.t.kind === 'null' || r.t.kind === 'null' || sameType(l.t, r.t))) {
      return { t: BOOL, v: this.cmp(op, 'l', l.v, r.v) };
    }
    this.error(C.BAD_OPERAND, `cannot compare ${typeName(l.t)} with ${typeName(r.t)}${isEq ? '' : ' (ordering needs integers)'}`, node);
    return { t: BOOL, v: W(0n) };
  }

  compare(op: CmpOp, t: Type, a: Value, b: Value): Value {
    let cmp = op;
    if (isInt(t) && !t.signed) cmp = ({ slt: 'ult', sle: 'ule', sgt: 'ugt', sge: 'uge' } as Record<string, CmpOp>)[op] ?? op;
    return this.cmp(cmp, clsOf(t), a, b);
  }

  compoundAssign(node: ts.BinaryExpression, op: string): TV {
    const lv = this.lvalue(node.left);
    if (!lv) {
      this.expr(node.right);
      return ZERO_TV;
    }
    const old = this.readLValue(lv);
    const r = this.expr(node.right, isInt(lv.t) ? lv.t : undefined);
    let result: TV;
    if (op === 'shl' || op === 'shr' || op === 'sar' || op === 'ushr') {
      result = this.shift(op, old, r, node);
    } else {
      if (lv.t.kind === 'string' || r.t.kind === 'string') {
        this.error(C.STRING_CONCAT, 'string concatenation is not supported: pass a template literal to a fmt parameter', node);
        return ZERO_TV;
      }
      const t = this.unify(old, r, node, node.operatorToken.getText());
      if (!t) return ZERO_TV;
      if (!sameType(t, lv.t)) {
        this.error(C.NARROWING, `'${node.operatorToken.getText()}' would narrow ${typeName(t)} to ${typeName(lv.t)}: convert explicitly, e.g. ${typeName(lv.t)}(x)`, node.right);
        return ZERO_TV;
      }
      result = { t, v: this.arith(op, t, old.v, this.convert(r, t)) };
    }
    if (result.t.kind !== 'error') this.writeLValue(lv, result.v);
    return result;
  }

  /** `a && b`, `a || b` (and `!`) used as values: a bool through a temporary slot. */
  boolValue(node: ts.Expression): TV {
    const b = this.b;
    const slot = b.alloca(4, 4);
    const t = b.newBlock();
    const f = b.newBlock();
    const end = b.newBlock();
    this.cond(node, t, f);
    for (const [blk, v] of [[t, 1n], [f, 0n]] as const) {
      b.setBlock(blk);
      b.emit({ op: 'store', addr: slot, value: W(v), width: 4 });
      b.jmp(end);
    }
    b.setBlock(end);
    return { t: BOOL, v: this.load(slot, 4, false, 'w') };
  }

  conditional(node: ts.ConditionalExpression, want: Type | undefined): TV {
    const b = this.b;
    const thenB = b.newBlock();
    const elseB = b.newBlock();
    const end = b.newBlock();
    this.cond(node.condition, thenB, elseB);
    const wl = isLiteralish(node.whenTrue), wr = isLiteralish(node.whenFalse);
    const order: ['t' | 'f', Block, ts.Expression][] = wl && !wr
      ? [['f', elseB, node.whenFalse], ['t', thenB, node.whenTrue]]
      : [['t', thenB, node.whenTrue], ['f', elseB, node.whenFalse]];
    const res: Record<string, { tv: TV; blk: Block }> = {};
    let first: Type | undefined;
    for (const [k, blk, e] of order) {
      b.setBlock(blk);
      const ctx = first && (isInt(first) || isRefLike(first)) && (wl !== wr) ? first : want;
      const tv = this.expr(e, ctx);
      first ??= tv.t;
      res[k] = { tv, blk: b.cur };
    }
    const lt = res.t.tv, rt = res.f.tv;
    let t: Type | null = null;
    if (lt.t.kind === 'error' || rt.t.kind === 'error') t = ERROR;
    else if (isInt(lt.t) && isInt(rt.t)) t = this.unify(lt, rt, node, '?:');
    else if (sameType(lt.t, rt.t)) t = lt.t;
    else if (lt.t.kind === 'null' && isRefLike(rt.t)) t = rt.t;
    else if (rt.t.kind === 'null' && isRefLike(lt.t)) t = lt.t;
    else this.error(C.TYPE_MISMATCH, `the branches of '?:' have different types: ${typeName(lt.t)} and ${typeName(rt.t)}`, node);
    if (!t || t.kind === 'error' || t.kind === 'void') {
      for (const r of [res.t, res.f]) {
        b.setBlock(r.blk);
        b.jmp(end);
      }
      b.setBlock(end);
      return ZERO_TV;
    }
    const cls = clsOf(t);
    const slot = b.alloca(cls === 'l' ? 8 : 4, cls === 'l' ? 8 : 4);
    for (const r of [res.t, res.f]) {
      b.setBlock(r.blk);
      b.emit({ op: 'store', addr: slot, value: this.convert(r.tv, t), width: cls === 'l' ? 8 : 4 });
      b.jmp(end);
    }
    b.setBlock(end);
    return { t, v: this.load(slot, cls === 'l' ? 8 : 4, false, cls) };
  }

  // ---- places: variables, fields, elements ----

  lvalue(node: ts.Expression): LValue | null {
    node = skipParens(node);
    if (ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node)) return null; // destructuring, refused
    if (ts.isNonNullExpression(node)) return this.lvalue(node.expression);
    if (ts.isIdentifier(node)) {
      const decl = this.declOf(node);
      const e = decl && this.entities.get(decl);
      if (e?.kind === 'local' && !e.aggregate) {
        const cls = clsOf(e.type);
        return { t: e.type, addr: e.addr, width: cls === 'l' ? 8 : 4, signed: false };
      }
      if (e?.kind === 'global' && !isAggregate(e.type)) {
        if (e.type.kind === 'error') return null;
        return { t: e.type, addr: { kind: 'sym', name: e.sym, addend: 0n }, ...memAccess(e.type), readonly: e.constant };
      }
      if (!decl) return null;
      this.error(C.NOT_ASSIGNABLE, `'${node.text}' cannot be assigned`, node);
      return null;
    }
    if (ts.isPropertyAccessExpression(node)) {
      const obj = this.expr(node.expression);
      if (obj.t.kind === 'error') return null;
      if (obj.t.kind !== 'ref') {
        this.error(C.NOT_ASSIGNABLE, `'${node.getText()}' cannot be assigned`, node);
        return null;
      }
      const field = obj.t.struct.fieldMap.get(node.name.text);
      if (!field) {
        this.error(C.UNKNOWN_FIELD, `'${obj.t.struct.name}' has no field '${node.name.text}'`, node.name);
        return null;
      }
      if (isAggregate(field.type)) {
        this.error(C.NOT_ASSIGNABLE, `inline field '${node.name.text}' cannot be assigned as a whole: copy it with memcpy`, node);
        return null;
      }
      return { t: field.type, addr: this.addOffset(obj.v, BigInt(field.offset)), ...memAccess(field.type) };
    }
    if (ts.isElementAccessExpression(node)) {
      const base = this.expr(node.expression);
      if (base.t.kind === 'error') return null;
      if (base.t.kind !== 'array' && base.t.kind !== 'table') {
        if (!ts.isStringLiteral(node.argumentExpression)) {
          this.error(C.BAD_INDEX, `${typeName(base.t)} cannot be indexed: only InlineArray and tables can`, node);
        }
        return null;
      }
      const elem = base.t.elem;
      const idx = this.expr(node.argumentExpression);
      if (idx.t.kind === 'error') return null;
      if (!isInt(idx.t)) {
        this.error(C.BAD_INDEX, `an index must be an integer, not ${typeName(idx.t)}`, node.argumentExpression);
        return null;
      }
      const i64 = this.convert(idx, idx.t.signed ? I64 : U64);
      const size = BigInt(sizeOf(elem));
      const off = this.binop('mul', 'l', i64, konst(size, 'l'));
      const addr = this.binop('add', 'l', base.v, off);
      if (elem.kind === 'error') return null;
      return { t: elem, addr, ...memAccess(elem), readonly: base.t.kind === 'table' };
    }
    this.error(C.NOT_ASSIGNABLE, `'${node.getText()}' cannot be assigned`, node);
    return null;
  }

  readLValue(lv: LValue): TV {
    if (isAggregate(lv.t)) return aggregateValue(lv.t, lv.addr); // an inline struct or array element: its address
    return { t: lv.t, v: this.load(lv.addr, lv.width, lv.signed, clsOf(lv.t)) };
  }

  writeLValue(lv: LValue, v: Value): void {
    this.b.emit({ op: 'store', addr: lv.addr, value: v, width: lv.width });
  }

  propertyAccess(node: ts.PropertyAccessExpression): TV {
    const name = node.name.text;
    // Enum members and static readonly constants.
    if (ts.isIdentifier(node.expression)) {
      const decl = this.declOf(node.expression);
      const e = decl && this.entities.get(decl);
      if (e?.kind === 'enum') {
        const v = e.members.get(name);
        if (v === undefined) return ZERO_TV; // TypeScript reports it
        return { t: I32, v: W(v) };
      }
      if (e?.kind === 'class') return this.staticConst(e, name, node);
    }
    const obj = this.expr(node.expression);
    const t = obj.t;
    if (t.kind === 'error') return ZERO_TV;
    if (name === 'length' && (t.kind === 'array' || t.kind === 'table')) return { t: I32, v: W(BigInt(t.length)) };
    if (name === 'length' && t.kind === 'string') {
      return { t: I32, v: this.load(this.addOffset(obj.v, -8n), 4, true, 'w') };
    }
    if (t.kind === 'ref') {
      const field = t.struct.fieldMap.get(name);
      if (field) {
        const addr = this.addOffset(obj.v, BigInt(field.offset));
        if (isAggregate(field.type)) return aggregateValue(field.type, addr);
        const { width, signed } = memAccess(field.type);
        return { t: field.type, v: this.load(addr, width, signed, clsOf(field.type)) };
      }
      const ent = this.structEntity(t.struct);
      if (ent?.methods.has(name)) {
        this.error(C.NOT_CALLABLE, `method '${name}' must be called: methods are not values`, node);
        return ZERO_TV;
      }
      this.error(C.UNKNOWN_FIELD, `'${t.struct.name}' has no field '${name}'`, node.name);
      return ZERO_TV;
    }
    this.error(C.UNKNOWN_FIELD, `${typeName(t)} has no property '${name}'`, node.name);
    return ZERO_TV;
  }

  staticConst(e: StructEntity, name: string, node: ts.Node): TV {
    const decl = e.statics.get(name);
    if (!decl) {
      this.error(C.UNKNOWN_FIELD, `'${e.info.name}' has no static constant '${name}'`, node);
      return ZERO_TV;
    }
    if (!e.staticValues.has(name)) {
      e.staticValues.set(name, null);
      const t = decl.type ? this.resolveType(decl.type) : undefined;
      const tv = decl.initializer ? this.constExpr(decl.initializer, t) : null;
      if (tv && !isInt(tv.t) && tv.t.kind !== 'bool') {
        this.error(C.STATIC, 'static members must be integer constants', decl);
        e.staticValues.set(name, null);
      } else e.staticValues.set(name, tv);
    }
    return e.staticValues.get(name) ?? ZERO_TV;
  }

  // ---- conversions ----

  /** Lowers an expression for a place of type `to` (variable, parameter, field, return). */
  exprAs(node: ts.Expression, to: Type): Value {
    if (to.kind === 'fmt') return this.fmtArg(node);
    const tv = this.expr(node, to);
    return this.coerce(tv, to, node);
  }

  /** Implicit conversion: only widening of integers and null to references. */
  coerce(tv: TV, to: Type, node: ts.Node): Value {
    const from = tv.t;
    if (from.kind === 'error' || to.kind === 'error') return konst(0n, clsOf(to));
    if (isInt(from) && isInt(to)) {
      if (intWidens(from, to)) return this.convert(tv, to);
      if (to.size < from.size) this.error(C.NARROWING, `implicit narrowing from ${from.name} to ${to.name}: convert explicitly with ${to.name}(x)`, node);
      else this.error(C.MIXED_SIGNEDNESS, `implicit conversion from ${from.name} to ${to.name} changes signedness: convert explicitly with ${to.name}(x)`, node);
      return konst(0n, clsOf(to));
    }
    if (from.kind === 'null' && isRefLike(to)) return konst(0n, 'l');
    if (from.kind === 'never') return konst(0n, clsOf(to));
    if (to.kind === 'table' && from.kind === 'table' && sameType(from.elem, to.elem)) return tv.v;
    if (sameType(from, to)) return tv.v;
    if (from.kind === 'void') this.error(C.VOID_VALUE, 'a void call has no value', node);
    else this.error(C.TYPE_MISMATCH, `type ${typeName(from)} is not assignable to ${typeName(to)}${isInt(to) && from.kind === 'bool' ? `: convert with ${to.name}(b)` : ''}`, node);
    return konst(0n, clsOf(to));
  }

  /** Conversion between integer types (and bool): truncate, then sign- or zero-extend. */
  convert(tv: TV, to: Type): Value {
    const from = tv.t.kind === 'bool' ? U8 : tv.t;
    if (!isInt(from) || !isInt(to)) return tv.v;
    let v = tv.v;
    const fc = clsOf(from), tc = clsOf(to);
    if (fc === 'l' && tc === 'w') v = this.ext(v, 4, false, 'w');
    else if (fc === 'w' && tc === 'l') v = this.ext(v, 4, from.signed, 'l');
    if (to.size < 4 && !intWidens(from, to)) v = this.ext(v, to.size as Width, to.signed, 'w');
    return v;
  }

  /** After arithmetic at 32 bits, a narrow result wraps to its width. */
  wrap(v: Value, t: IntType): Value {
    return t.size < 4 ? this.ext(v, t.size as Width, t.signed, 'w') : v;
  }

  // ---- calls ----

  call(node: ts.CallExpression, want: Type | undefined): TV {
    const callee = skipParens(node.expression);
    if (ts.isIdentifier(callee)) {
      const decl = this.declOf(callee);
      if (decl && decl.getSourceFile().isDeclarationFile) return this.intrinsic(callee.text, node, want);
      const e = decl && this.entities.get(decl);
      if (e?.kind === 'func') return this.directCall(e, node.arguments, [], node);
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (ts.isIdentifier(callee.expression)) {
        const decl = this.declOf(callee.expression);
        const e = decl && this.entities.get(decl);
        if (e?.kind === 'class') {
          this.error(C.STATIC, 'static methods are not supported: use a module-level function', callee);
          return ZERO_TV;
        }
        if (!decl && ['Object', 'Array', 'Math', 'JSON', 'console'].includes(callee.expression.text)) return ZERO_TV; // check.ts
      }
      const obj = this.expr(callee.expression);
      if (obj.t.kind === 'error') return ZERO_TV;
      if (obj.t.kind === 'string' && name === 'charCodeAt' && node.arguments.length === 1) {
        const idx = this.expr(node.arguments[0]);
        if (!isInt(idx.t)) {
          if (idx.t.kind !== 'error') this.error(C.BAD_INDEX, `an index must be an integer, not ${typeName(idx.t)}`, node.arguments[0]);
          return ZERO_TV;
        }
        const addr = this.binop('add', 'l', obj.v, this.convert(idx, idx.t.signed ? I64 : U64));
        return { t: U8, v: this.load(addr, 1, false, 'w') };
      }
      if (obj.t.kind === 'ref') {
        const ent = this.structEntity(obj.t.struct);
        const m = ent?.methods.get(name);
        if (m) return this.directCall(m, node.arguments, [obj.v], node);
        const field = obj.t.struct.fieldMap.get(name);
        if (field?.type.kind === 'func') {
          const fv = this.load(this.addOffset(obj.v, BigInt(field.offset)), 8, false, 'l');
          return this.indirectCall({ t: field.type, v: fv }, node);
        }
        this.error(C.UNKNOWN_FIELD, `'${obj.t.struct.name}' has no method '${name}'`, callee.name);
        return ZERO_TV;
      }
      this.error(C.NOT_CALLABLE, `${typeName(obj.t)} has no method '${name}'`, callee.name);
      return ZERO_TV;
    }
    const fv = this.expr(callee);
    return this.indirectCall(fv, node);
  }

  args(params: Type[], args: readonly ts.Expression[]): Value[] {
    return args.map((a, i) => (i < params.length ? this.exprAs(a, params[i]) : this.expr(a).v));
  }

  directCall(f: FuncInfo, args: readonly ts.Expression[], self: Value[], node: ts.Node): TV {
    const params = f.params.slice(self.length).map((p) => p.type);
    const vals = [...self, ...this.args(params, args)];
    return this.emitCall({ kind: 'sym', name: f.sym, addend: 0n }, vals, f.ret);
  }

  indirectCall(fv: TV, node: ts.CallExpression): TV {
    if (fv.t.kind === 'error') {
      for (const a of node.arguments) this.expr(a);
      return ZERO_TV;
    }
    if (fv.t.kind !== 'func') {
      this.error(C.NOT_CALLABLE, `${typeName(fv.t)} is not a function`, node.expression);
      return ZERO_TV;
    }
    return this.emitCall(fv.v, this.args(fv.t.params, node.arguments), fv.t.ret);
  }

  emitCall(callee: Value, args: Value[], ret: Type): TV {
    if (ret.kind === 'void' || ret.kind === 'never' || ret.kind === 'error') {
      this.b.emit({ op: 'call', callee, args });
      if (ret.kind === 'never') this.b.term({ op: 'unreachable' });
      return { t: ret.kind === 'error' ? ERROR : VOID, v: W(0n) };
    }
    const cls = clsOf(ret);
    const dst = this.b.vreg();
    this.b.emit({ op: 'call', callee, args, dst, cls });
    return { t: ret, v: { kind: 'vreg', id: dst, cls } };
  }

  /** A `fmt` argument: a descriptor on the stack (count, then {kind, value} pairs), or passed through. */
  fmtArg(node: ts.Expression): Value {
    const items: { kind: bigint; value: Value }[] = [];
    const str = (text: string) => items.push({ kind: 0n, value: { kind: 'sym', name: this.stringSym(text), addend: 8n } });
    const inner = skipParens(node);
    if (ts.isTemplateExpression(inner)) {
      if (inner.head.text) str(inner.head.text);
      for (const span of inner.templateSpans) {
        const hole = this.fmtHole(span.expression);
        if (hole) items.push(hole);
        if (span.literal.text) str(span.literal.text);
      }
    } else {
      const tv = this.expr(node);
      if (tv.t.kind === 'fmt' || tv.t.kind === 'error') return tv.v;
      if (tv.t.kind !== 'string') {
        this.error(C.TYPE_MISMATCH, `a fmt parameter takes a string or a template literal, not ${typeName(tv.t)}`, node);
        return konst(0n, 'l');
      }
      items.push({ kind: 0n, value: tv.v });
    }
    const b = this.b;
    const desc = b.alloca(8 + 16 * items.length, 8);
    b.emit({ op: 'store', addr: desc, value: konst(BigInt(items.length), 'l'), width: 8 });
    items.forEach((it, i) => {
      b.emit({ op: 'store', addr: this.addOffset(desc, BigInt(8 + 16 * i)), value: konst(it.kind, 'l'), width: 8 });
      b.emit({ op: 'store', addr: this.addOffset(desc, BigInt(16 + 16 * i)), value: it.value, width: 8 });
    });
    return desc;
  }

  fmtHole(e: ts.Expression): { kind: bigint; value: Value } | null {
    const inner = skipParens(e);
    if (ts.isCallExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === 'hex' && inner.arguments.length === 1 &&
        this.declOf(inner.expression)?.getSourceFile().isDeclarationFile) {
      const tv = this.expr(inner.arguments[0]);
      if (tv.t.kind === 'error') return null;
      if (!isInt(tv.t) && tv.t.kind !== 'bool' && tv.t.kind !== 'ref') {
        this.error(C.FMT_HOLE, `hex() needs an integer, not ${typeName(tv.t)}`, inner.arguments[0]);
        return null;
      }
      // Hex shows the bits of the value's own width: zero-extend through the unsigned type of that width.
      const ut = isInt(tv.t) ? INT_TYPES[`u${tv.t.size * 8}`] : U64;
      return { kind: 3n, value: this.convert({ t: ut, v: this.convert(tv, ut) }, U64) };
    }
    const tv = this.expr(e);
    const t = tv.t;
    if (t.kind === 'error') return null;
    if (t.kind === 'string') return { kind: 0n, value: tv.v };
    if (isInt(t) && t.signed) return { kind: 1n, value: this.convert(tv, I64) };
    if (isInt(t) || t.kind === 'bool') return { kind: 2n, value: this.convert(tv, U64) };
    this.error(C.FMT_HOLE, `cannot format ${typeName(t)} in a template: use an integer, a bool or a string`, e);
    return null;
  }

  newExpr(node: ts.NewExpression): TV {
    const decl = this.declOf(node.expression);
    const e = decl && this.entities.get(decl);
    if (!e || e.kind !== 'class') {
      if (decl) this.error(C.NOT_CALLABLE, `'new' needs a class of this program`, node.expression);
      return ZERO_TV;
    }
    const alloc = this.allocHook('__alloc', node);
    const t: Type = { kind: 'ref', struct: e.info };
    const size = konst(BigInt(Math.max(e.info.size, 1)), 'l');
    const obj = this.emitCall({ kind: 'sym', name: alloc, addend: 0n }, [size], USIZE);
    if (e.ctor) this.directCall(e.ctor, node.arguments ?? [], [obj.v], node);
    return { t, v: obj.v };
  }

  /** __alloc / __free: the program's exported allocator hooks. */
  allocHook(name: string, node: ts.Node): string {
    if (this.funcSyms.has(name)) return name;
    this.error(C.NO_ALLOCATOR, `'${node.getText().split('(')[0]}' needs the program to export a function '${name}'`, node);
    return name;
  }

  // ---- intrinsics ----

  intrinsic(name: string, node: ts.CallExpression, want: Type | undefined): TV {
    const args = node.arguments;
    const conv: Type | undefined = name === 'bool' ? BOOL : INT_TYPES[name];
    if (conv) {
      const tv = args.length ? this.expr(args[0], isLiteralish(args[0]) ? conv : undefined) : ZERO_TV;
      if (tv.t.kind === 'error') return { t: conv, v: konst(0n, clsOf(conv)) };
      if (!isInt(tv.t) && tv.t.kind !== 'bool') {
        this.error(C.TYPE_MISMATCH, `${name}() converts integers and bools, not ${typeName(tv.t)}: use changetype<${name}>(x) for an address`, args[0]);
        return { t: conv, v: konst(0n, clsOf(conv)) };
      }
      if (conv.kind === 'bool') return { t: BOOL, v: this.truth(tv, args[0]) };
      return { t: conv, v: this.convert(tv, conv) };
    }
    const simple = SIMPLE_INTRINSICS[name];
    if (simple) {
      const [params, ret] = simple;
      const vals = this.args(params, args);
      const hasDst = ret.kind !== 'void';
      const dst = hasDst ? this.b.vreg() : undefined;
      const cls = hasDst ? clsOf(ret) : undefined;
      const width = ({ inb: 1, outb: 1, inw: 2, outw: 2, inl: 4, outl: 4 } as Record<string, Width>)[name];
      this.b.emit({ op: 'intrin', name, args: vals, dst, cls, ...(width ? { width } : {}) });
      return hasDst ? { t: ret, v: { kind: 'vreg', id: dst!, cls: cls! } } : { t: VOID, v: W(0n) };
    }
    switch (name) {
      case 'sizeof':
      case 'alignof': {
        const t = this.typeArg(node, name);
        if (!t) return { t: USIZE, v: konst(0n, 'l') };
        const st = t.kind === 'ref' ? { kind: 'inline' as const, struct: t.struct } : t;
        return { t: USIZE, v: konst(BigInt(name === 'sizeof' ? sizeOf(st) : alignOf(st)), 'l') };
      }
      case 'offsetof': {
        const t = this.typeArg(node, name);
        if (!t) return { t: USIZE, v: konst(0n, 'l') };
        const a = args[0];
        if (t.kind !== 'ref' || !a || !ts.isStringLiteral(a)) {
          this.error(C.OFFSETOF, 'offsetof<T>("field") needs a class type and a field name literal', node);
          return { t: USIZE, v: konst(0n, 'l') };
        }
        const f = t.struct.fieldMap.get(a.text);
        if (!f) {
          this.error(C.OFFSETOF, `'${t.struct.name}' has no field '${a.text}'`, a);
          return { t: USIZE, v: konst(0n, 'l') };
        }
        return { t: USIZE, v: konst(BigInt(f.offset), 'l') };
      }
      case 'changetype': {
        const t = this.typeArg(node, name);
        const tv = args.length ? this.expr(args[0]) : ZERO_TV;
        if (!t || tv.t.kind === 'error') return { t: t ?? ERROR, v: konst(0n, t ? clsOf(t) : 'l') };
        const addrLike = (x: Type) => x.kind === 'ref' || x.kind === 'array' || x.kind === 'table' || x.kind === 'string' || x.kind === 'func' || x.kind === 'null' ||
          (isInt(x) && x.size === 8);
        if (!addrLike(t) || !addrLike(tv.t)) {
          this.error(C.CHANGETYPE, `changetype converts between addresses (usize, u64, references), not ${typeName(tv.t)} to ${typeName(t)}`, node);
          return { t, v: konst(0n, clsOf(t)) };
        }
        return { t, v: tv.v };
      }
      case 'addressof': {
        const tv = args.length ? this.expr(args[0]) : ZERO_TV;
        if (tv.t.kind !== 'func') {
          if (tv.t.kind !== 'error') this.error(C.ADDRESS_OF, 'addressof() takes a function name', args[0] ?? node);
          return { t: USIZE, v: konst(0n, 'l') };
        }
        return { t: USIZE, v: tv.v };
      }
      case 'addr_of':
        return this.addrOf(node);
      case 'load':
      case 'volatile_load':
      case 'atomic_load': {
        const t = this.memTypeArg(node, name);
        const addr = this.addrArgs(args[0], args[1], name !== 'atomic_load');
        if (!t) return ZERO_TV;
        const { width, signed } = memAccess(t);
        if (name === 'atomic_load') return this.intrinValue('atomic_load', [addr], t, width);
        const dst = this.b.vreg();
        this.b.emit({ op: 'load', cls: clsOf(t), dst, addr, width, signed, ...(name === 'volatile_load' ? { volatile: true } : {}) });
        return { t, v: { kind: 'vreg', id: dst, cls: clsOf(t) } };
      }
      case 'store':
      case 'volatile_store':
      case 'atomic_store': {
        const t = this.memTypeArg(node, name);
        const addr = this.addrArgs(args[0], args[2], name !== 'atomic_store');
        const v = args[1] && t ? this.exprAs(args[1], t) : W(0n);
        if (!t) return { t: VOID, v: W(0n) };
        const { width } = memAccess(t);
        if (name === 'atomic_store') this.b.emit({ op: 'intrin', name, args: [addr, v], width });
        else this.b.emit({ op: 'store', addr, value: v, width, ...(name === 'volatile_store' ? { volatile: true } : {}) });
        return { t: VOID, v: W(0n) };
      }
      case 'atomic_xchg':
      case 'atomic_fetch_add':
      case 'atomic_cmpxchg': {
        const t = this.memTypeArg(node, name);
        const addr = args[0] ? this.exprAs(args[0], USIZE) : konst(0n, 'l');
        const vals = t ? args.slice(1).map((a) => this.exprAs(a, t)) : [];
        if (!t) return ZERO_TV;
        return this.intrinValue(name, [addr, ...vals], t, memAccess(t).width);
      }
      case 'destroy': {
        const tv = args.length ? this.expr(args[0]) : ZERO_TV;
        if (tv.t.kind !== 'ref') {
          if (tv.t.kind !== 'error') this.error(C.TYPE_MISMATCH, `destroy() takes a class reference, not ${typeName(tv.t)}`, args[0] ?? node);
          return { t: VOID, v: W(0n) };
        }
        const free = this.allocHook('__free', node);
        return this.emitCall({ kind: 'sym', name: free, addend: 0n }, [tv.v], VOID);
      }
      case 'unreachable':
        this.b.term({ op: 'unreachable' });
        return { t: NEVER, v: W(0n) };
      case 'hex':
        this.error(C.HEX_OUTSIDE_FMT, 'hex() can only be used as a hole of a template literal passed to a fmt parameter', node);
        return ZERO_TV;
      case 'fmt_count':
      case 'fmt_kind':
      case 'fmt_value': {
        const f = args[0] ? this.expr(args[0]) : ZERO_TV;
        if (f.t.kind !== 'fmt') {
          if (f.t.kind !== 'error') this.error(C.FMT_USE, `${name}() takes a fmt parameter`, args[0] ?? node);
          return ZERO_TV;
        }
        if (name === 'fmt_count') return { t: USIZE, v: this.load(f.v, 8, false, 'l') };
        const i = args[1] ? this.exprAs(args[1], USIZE) : konst(0n, 'l');
        const at = this.binop('add', 'l', f.v, this.binop('mul', 'l', i, konst(16n, 'l')));
        if (name === 'fmt_kind') return { t: INT_TYPES.u32, v: this.load(this.addOffset(at, 8n), 4, false, 'w') };
        return { t: U64, v: this.load(this.addOffset(at, 16n), 8, false, 'l') };
      }
      case 'syscall': {
        const vals = args.map((a) => this.exprAs(a, U64));
        return this.intrinValue('syscall', vals, I64);
      }
    }
    this.error(C.UNKNOWN_NAME, `'${name}' is declared in the prelude but not known to the compiler`, node.expression);
    return ZERO_TV;
  }

  intrinValue(name: string, args: Value[], t: Type, width?: Width): TV {
    const cls = clsOf(t);
    const dst = this.b.vreg();
    this.b.emit({ op: 'intrin', name, args, dst, cls, ...(width ? { width } : {}) });
    return { t, v: { kind: 'vreg', id: dst, cls } };
  }

  typeArg(node: ts.CallExpression, name: string): Type | null {
    const ta = node.typeArguments?.[0];
    if (!ta) {
      this.error(C.TYPE_ARGUMENT, `${name} needs an explicit type argument: ${name}<T>(...)`, node);
      return null;
    }
    const t = this.resolveType(ta);
    return t.kind === 'error' ? null : t;
  }

  /** The T of load<T>/store<T>/atomics: an integer, bool or reference type. */
  memTypeArg(node: ts.CallExpression, name: string): Type | null {
    const t = this.typeArg(node, name);
    if (!t) return null;
    const ok = name.startsWith('atomic') ? isInt(t) : isInt(t) || t.kind === 'bool' || t.kind === 'ref' || t.kind === 'func' || t.kind === 'string';
    if (!ok) {
      this.error(C.TYPE_ARGUMENT, `${name}<${typeName(t)}> is not supported: use ${name.startsWith('atomic') ? 'an integer type' : 'an integer, bool or reference type'}`, node.typeArguments![0]);
      return null;
    }
    return t;
  }

  addrArgs(addr: ts.Expression | undefined, offset: ts.Expression | undefined, allowOffset: boolean): Value {
    let a = addr ? this.exprAs(addr, USIZE) : konst(0n, 'l');
    if (offset && allowOffset) a = this.binop('add', 'l', a, this.exprAs(offset, USIZE));
    return a;
  }

  addrOf(node: ts.CallExpression): TV {
    const a = node.arguments[0] ? skipParens(node.arguments[0]) : undefined;
    if (a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a))) {
      return { t: USIZE, v: { kind: 'sym', name: this.stringSym(a.text), addend: 8n } };
    }
    if (a && ts.isIdentifier(a)) {
      const decl = this.declOf(a);
      const e = decl && this.entities.get(decl);
      if (e?.kind === 'global') return { t: USIZE, v: { kind: 'sym', name: e.sym, addend: 0n } };
      if (e?.kind === 'func' && !e.struct) return { t: USIZE, v: { kind: 'sym', name: e.sym, addend: 0n } };
      if (!decl) return { t: USIZE, v: konst(0n, 'l') };
    }
    this.error(C.ADDRESS_OF, 'addr_of() takes the name of a module-level variable, an extern or a string literal', a ?? node);
    return { t: USIZE, v: konst(0n, 'l') };
  }

  // ---- IR emission with constant folding ----

  binop(op: BinOp, cls: Cls, a: Value, b: Value): Value {
    if (a.kind === 'const' && b.kind === 'const') {
      const r = foldBin(op, cls, a.value, b.value);
      if (r !== null) return konst(r, cls);
      if (!this.fn) {
        // A constant expression that would trap: reported here, since it cannot be folded.
        this.diags.error(C.CONST_DIV_ZERO, 'division by zero (or MIN / -1) in a constant expression', this.b.loc);
        return konst(0n, cls);
      }
    }
    if (op === 'add' && a.kind === 'sym' && b.kind === 'const') return { kind: 'sym', name: a.name, addend: a.addend + b.value };
    const dst = this.b.vreg();
    this.b.emit({ op: 'bin', bin: op, cls, dst, a, b });
    return { kind: 'vreg', id: dst, cls };
  }

  unop(op: 'neg' | 'not', cls: Cls, a: Value): Value {
    if (a.kind === 'const') return konst(op === 'neg' ? -a.value : ~a.value, cls);
    const dst = this.b.vreg();
    this.b.emit({ op: 'un', un: op, cls, dst, a });
    return { kind: 'vreg', id: dst, cls };
  }

  cmp(op: CmpOp, cls: Cls, a: Value, b: Value): Value {
    if (a.kind === 'const' && b.kind === 'const') return W(foldCmp(op, cls, a.value, b.value) ? 1n : 0n);
    const dst = this.b.vreg();
    this.b.emit({ op: 'cmp', cmp: op, cls, dst, a, b });
    return { kind: 'vreg', id: dst, cls: 'w' };
  }

  ext(a: Value, from: Width, signed: boolean, cls: Cls, keep = false): Value {
    if (keep) return a;
    if (a.kind === 'const') {
      const bits = from * 8;
      return konst(signed ? BigInt.asIntN(bits, a.value) : BigInt.asUintN(bits, a.value), cls);
    }
    const dst = this.b.vreg();
    this.b.emit({ op: 'ext', cls, dst, a, from, signed });
    return { kind: 'vreg', id: dst, cls };
  }

  load(addr: Value, width: Width, signed: boolean, cls: Cls): Value {
    const dst = this.b.vreg();
    this.b.emit({ op: 'load', cls, dst, addr, width, signed });
    return { kind: 'vreg', id: dst, cls };
  }

  addOffset(a: Value, off: bigint): Value {
    return off === 0n ? a : this.binop('add', 'l', a, konst(off, 'l'));
  }
}

// ---------------------------------------------------------------------------------------------
// Tables and helpers.

const S = ts.SyntaxKind;

const ARITH_OPS: Partial<Record<ts.SyntaxKind, string>> = {
  [S.PlusToken]: 'add', [S.MinusToken]: 'sub', [S.AsteriskToken]: 'mul', [S.SlashToken]: 'div', [S.PercentToken]: 'rem',
  [S.AmpersandToken]: 'and', [S.BarToken]: 'or', [S.CaretToken]: 'xor',
  [S.LessThanLessThanToken]: 'shl', [S.GreaterThanGreaterThanToken]: 'sar', [S.GreaterThanGreaterThanGreaterThanToken]: 'ushr',
};

const COMPOUND: Partial<Record<ts.SyntaxKind, string>> = {
  [S.PlusEqualsToken]: 'add', [S.MinusEqualsToken]: 'sub', [S.AsteriskEqualsToken]: 'mul', [S.SlashEqualsToken]: 'div',
  [S.PercentEqualsToken]: 'rem', [S.AmpersandEqualsToken]: 'and', [S.BarEqualsToken]: 'or', [S.CaretEqualsToken]: 'xor',
  [S.LessThanLessThanEqualsToken]: 'shl', [S.GreaterThanGreaterThanEqualsToken]: 'sar', [S.GreaterThanGreaterThanGreaterThanEqualsToken]: 'ushr',
};

const CMP_OPS: Partial<Record<ts.SyntaxKind, CmpOp>> = {
  [S.EqualsEqualsToken]: 'eq', [S.EqualsEqualsEqualsToken]: 'eq', [S.ExclamationEqualsToken]: 'ne', [S.ExclamationEqualsEqualsToken]: 'ne',
  [S.LessThanToken]: 'slt', [S.LessThanEqualsToken]: 'sle', [S.GreaterThanToken]: 'sgt', [S.GreaterThanEqualsToken]: 'sge',
};

const u = INT_TYPES;
/** Intrinsics with a fixed signature: [parameter types, result type]. */
const SIMPLE_INTRINSICS: Record<string, [Type[], Type]> = {
  cli: [[], VOID], sti: [[], VOID], hlt: [[], VOID], pause: [[], VOID],
  barrier: [[], VOID], mfence: [[], VOID], lfence: [[], VOID], sfence: [[], VOID],
  inb: [[u.u16], u.u8], inw: [[u.u16], u.u16], inl: [[u.u16], u.u32],
  outb: [[u.u16, u.u8], VOID], outw: [[u.u16, u.u16], VOID], outl: [[u.u16, u.u32], VOID],
  rdmsr: [[u.u32], u.u64], wrmsr: [[u.u32, u.u64], VOID],
  read_cr0: [[], u.u64], write_cr0: [[u.u64], VOID], read_cr2: [[], u.u64], read_cr3: [[], u.u64],
  write_cr3: [[u.u64], VOID], read_cr4: [[], u.u64], write_cr4: [[u.u64], VOID],
  invlpg: [[u.usize], VOID], lgdt: [[u.usize], VOID], lidt: [[u.usize], VOID], ltr: [[u.u16], VOID],
  rdtsc: [[], u.u64], cpuid: [[u.u32, u.u32, u.usize], VOID], frame_address: [[], u.usize],
  memcpy: [[u.usize, u.usize, u.usize], VOID], memset: [[u.usize, u.u8, u.usize], VOID], memcmp: [[u.usize, u.usize, u.usize], u.i32],
};

export const INTRINSIC_NAMES = [...Object.keys(SIMPLE_INTRINSICS), 'atomic_load', 'atomic_store', 'atomic_xchg', 'atomic_cmpxchg', 'atomic_fetch_add', 'syscall'];

function foldBin(op: BinOp, cls: Cls, a: bigint, b: bigint): bigint | null {
  const bits = cls === 'w' ? 32 : 64;
  const s = (x: bigint) => BigInt.asIntN(bits, x);
  const uu = (x: bigint) => BigInt.asUintN(bits, x);
  const mask = BigInt(bits - 1);
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return uu(a) << (uu(b) & mask);
    case 'shr': return uu(a) >> (uu(b) & mask);
    case 'sar': return s(a) >> (uu(b) & mask);
    case 'sdiv': case 'srem': {
      if (s(b) === 0n || (s(a) === -(1n << BigInt(bits - 1)) && s(b) === -1n)) return null; // traps at run time
      return op === 'sdiv' ? s(a) / s(b) : s(a) % s(b);
    }
    case 'udiv': case 'urem': {
      if (uu(b) === 0n) return null;
      return op === 'udiv' ? uu(a) / uu(b) : uu(a) % uu(b);
    }
  }
}

function foldCmp(op: CmpOp, cls: Cls, a: bigint, b: bigint): boolean {
  const bits = cls === 'w' ? 32 : 64;
  const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  const ua = BigInt.asUintN(bits, a), ub = BigInt.asUintN(bits, b);
  switch (op) {
    case 'eq': return ua === ub;
    case 'ne': return ua !== ub;
    case 'slt': return sa < sb;
    case 'sle': return sa <= sb;
    case 'sgt': return sa > sb;
    case 'sge': return sa >= sb;
    case 'ult': return ua < ub;
    case 'ule': return ua <= ub;
    case 'ugt': return ua > ub;
    case 'uge': return ua >= ub;
  }
}

/** Drops blocks control cannot reach and renumbers the rest, keeping blocks[i].id === i. */
function finishBlocks(b: Builder): Block[] {
  b.blocks[0].insts.unshift(...b.allocas);
  const seen = new Set<number>([0]);
  const order = [0];
  for (let i = 0; i < order.length; i++) {
    const t = b.blocks[order[i]].term;
    const succ = t.op === 'jmp' ? [t.target] : t.op === 'br' ? [t.then, t.else] : [];
    for (const s of succ) if (!seen.has(s)) seen.add(s), order.push(s);
  }
  const keep = b.blocks.filter((blk) => seen.has(blk.id));
  const map = new Map(keep.map((blk, i) => [blk.id, i]));
  for (const blk of keep) {
    blk.id = map.get(blk.id)!;
    const t = blk.term;
    if (t.op === 'jmp') t.target = map.get(t.target)!;
    if (t.op === 'br') {
      t.then = map.get(t.then)!;
      t.else = map.get(t.else)!;
    }
  }
  return keep;
}

/** Storage held by value is used through its address: an Inline<T> as a reference to T. */
function aggregateValue(t: Type, addr: Value): TV {
  return { t: t.kind === 'inline' ? { kind: 'ref', struct: t.struct } : t, v: addr };
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** A literal-only expression, which takes its type from the other operand. */
function isLiteralish(e: ts.Expression): boolean {
  e = skipParens(e);
  if (ts.isNumericLiteral(e)) return true;
  if (ts.isPrefixUnaryExpression(e)) return (e.operator === S.MinusToken || e.operator === S.TildeToken || e.operator === S.PlusToken) && isLiteralish(e.operand);
  if (ts.isBinaryExpression(e)) return ARITH_OPS[e.operatorToken.kind] !== undefined && isLiteralish(e.left) && isLiteralish(e.right);
  return false;
}

function isRefLike(t: Type): boolean {
  return t.kind === 'ref' || t.kind === 'func' || t.kind === 'string' || t.kind === 'null';
}

function literalValue(e: ts.Expression): bigint | null {
  if (ts.isNumericLiteral(e)) return BigInt(e.getText().replace(/_/g, ''));
  if (ts.isPrefixUnaryExpression(e) && e.operator === S.MinusToken && ts.isNumericLiteral(e.operand)) return -BigInt(e.operand.getText().replace(/_/g, ''));
  return null;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : []).some((m) => m.kind === kind);
}

function isExported(stmt: ts.Statement): boolean {
  return hasModifier(stmt, S.ExportKeyword);
}

/** The declarations a top-level statement introduces into the linker's namespace. */
function topLevelNames(stmt: ts.Statement): { node: ts.Node; name: string; exported: boolean }[] {
  const exported = isExported(stmt);
  if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) && stmt.name) {
    if (ts.isFunctionDeclaration(stmt) && !stmt.body) return [];
    return [{ node: stmt, name: stmt.name.text, exported }];
  }
  if (ts.isVariableStatement(stmt) && !hasModifier(stmt, S.DeclareKeyword)) {
    return stmt.declarationList.declarations.filter((d) => ts.isIdentifier(d.name)).map((d) => ({ node: d, name: (d.name as ts.Identifier).text, exported }));
  }
  return [];
}

function returnsValue(body: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) found = true;
    else n.forEachChild(visit);
  };
  body.forEachChild(visit);
  return found;
}

/** `/** @inline *\/` forces inlining; `/** @noinline *\/` forbids it (for code that reads its own frame). */
function inlineTag(decl: ts.Node): Func['inline'] {
  const tags = ts.getJSDocTags(decl).map((t) => t.tagName.text);
  return tags.includes('noinline') ? 'never' : tags.includes('inline') ? 'always' : 'auto';
}

/** The key under which a method's `this` slot is recorded: the method's own declaration's first token. */
const thisKeys = new WeakMap<ts.Node, object>();
function thisKey(decl: ts.Node): ts.Node {
  let k = thisKeys.get(decl);
  if (!k) thisKeys.set(decl, (k = { kind: -1 }));
  return k as ts.Node;
}

function isRefusedExpression(node: ts.Node): boolean {
  return [S.ArrowFunction, S.FunctionExpression, S.ObjectLiteralExpression, S.ArrayLiteralExpression, S.AsExpression,
    S.TypeAssertionExpression, S.TypeOfExpression, S.DeleteExpression, S.VoidExpression, S.AwaitExpression, S.YieldExpression,
    S.RegularExpressionLiteral, S.BigIntLiteral, S.SpreadElement, S.ClassExpression, S.TaggedTemplateExpression,
    S.SatisfiesExpression, S.MetaProperty, S.SuperKeyword].includes(node.kind);
}
