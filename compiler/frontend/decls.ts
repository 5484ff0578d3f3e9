// Lowering, module level (see lower.ts): the program's entities (functions, classes, enums, module
// variables and constants) with their linker names, class layouts and signatures; types from
// annotations; module variables, tables and constants evaluated at compile time; string literals.

import type { Global, Value } from '../ir/ir.js';
import { ts, nodeLoc } from './program.js';
import { CODES as C, hasModifier, isFloatText } from './check.js';
import { MAX_NESTING } from './nesting.js';
import { type Type, type StructInfo, INT_TYPES, I32, BOOL, VOID, NEVER, STRING, FMT, ERROR, sizeOf, alignOf, isAggregate, layoutStruct, typeName, isInt } from './types.js';
import { Builder, konst } from '../ir/builder.js';
import { type Entity, type FuncInfo, type Lowerer, type StructEntity, type TV, type TypeEnv, ZERO_TV, isExported } from './lower.js';
import { instantiateClass } from './generics.js';
import { VPTR_FIELD, inheritedCtorParams } from './classes.js';
import { expr } from './expr.js';
import { exprAs } from './intrinsics.js';

const S = ts.SyntaxKind;

// ---- module-level declarations ----

/**
 * Linker names: exported declarations keep their name (two exports of one name are an error);
 * other names are renamed `name.N` only when two modules would otherwise clash.
 */
export function symbolNames(L: Lowerer): Map<ts.Node, string> {
  const byName = new Map<string, { node: ts.Node; file: number; exported: boolean }[]>();
  L.p.files.forEach((sf, file) => {
    for (const stmt of sf.statements) {
      for (const { node, name, exported } of topLevelNames(stmt)) {
        if (!byName.has(name)) byName.set(name, []);
        byName.get(name)!.push({ node, file, exported });
      }
    }
  });
  const out = new Map<ts.Node, string>();
  for (const [name, decls] of byName) {
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) L.error(C.BAD_SYMBOL_NAME, `'${name}' cannot be a linker symbol: use ASCII letters, digits, '_' and '$'`, decls[0].node);
    const exported = decls.filter((d) => d.exported);
    for (const d of exported.slice(1)) L.error(C.DUPLICATE_SYMBOL, `'${name}' is exported by two modules`, d.node);
    const files = new Set(decls.map((d) => d.file));
    for (const d of decls) out.set(d.node, d.exported || files.size === 1 ? name : `${name}.${d.file + 1}`);
  }
  return out;
}

export function collect(L: Lowerer, sf: ts.SourceFile, names: Map<ts.Node, string>): void {
  for (const stmt of sf.statements) {
    const exported = isExported(stmt);
    if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      const extern = !stmt.body;
      if (extern && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) continue; // an overload (refused by check.ts)
      L.funcSyms.add(extern ? stmt.name.text : names.get(stmt)!);
      L.entities.set(stmt, {
        kind: 'func', sym: extern ? stmt.name.text : names.get(stmt)!, decl: stmt, params: [], ret: VOID, type: ERROR,
        exported: exported || extern, extern, generic: !!stmt.typeParameters?.length,
      });
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      const prefix = names.get(stmt)!;
      const info: StructInfo = { name: stmt.name.text, symbolPrefix: prefix, fields: [], fieldMap: new Map(), size: 0, align: 1, laidOut: false };
      const ent = classEntity(stmt, info, exported);
      ent.generic = !!stmt.typeParameters?.length;
      for (const m of stmt.members) {
        if (ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && hasModifier(m, ts.SyntaxKind.StaticKeyword)) ent.statics.set(m.name.text, m);
      }
      L.entities.set(stmt, ent);
      L.structs.set(info, ent);
    } else if (ts.isInterfaceDeclaration(stmt)) {
      const info: StructInfo = { name: stmt.name.text, symbolPrefix: names.get(stmt) ?? stmt.name.text, fields: [], fieldMap: new Map(), size: 0, align: 1, laidOut: true, isInterface: true };
      const ent: StructEntity = { kind: 'class', info, decl: stmt, methods: new Map(), statics: new Map(), staticValues: new Map(), staticMethods: new Map() };
      for (const m of stmt.members) {
        if (!ts.isMethodSignature(m) || !ts.isIdentifier(m.name)) continue;
        ent.methods.set(m.name.text, { kind: 'func', sym: `${info.symbolPrefix}.${m.name.text}`, decl: m, params: [], ret: VOID, type: ERROR, exported: false, extern: false, struct: info, abstract: true });
      }
      L.entities.set(stmt, ent);
      L.structs.set(info, ent);
    } else if (ts.isEnumDeclaration(stmt)) {
      const members = new Map<string, bigint>();
      let next = 0n;
      for (const m of stmt.members) {
        if (m.initializer) next = literalValue(m.initializer) ?? next;
        if (next < -(1n << 31n) || next >= 1n << 31n) {
          L.error(C.LITERAL_RANGE, `enum member '${m.name.getText()}' is ${next}, out of range for i32 (an enum's type)`, m.initializer ?? m.name);
        }
        members.set(m.name.getText(), next);
        next++;
      }
      L.entities.set(stmt, { kind: 'enum', members });
    }
  }
}

/** A class's entity: its methods and constructor as functions named `<prefix>.<name>`. */
export function classEntity(decl: ts.ClassDeclaration, info: StructInfo, exported: boolean, typeEnv?: TypeEnv): StructEntity {
  const prefix = info.symbolPrefix;
  const ent: StructEntity = { kind: 'class', info, decl, methods: new Map(), statics: new Map(), staticValues: new Map(), staticMethods: new Map(), typeEnv };
  for (const m of decl.members) {
    if (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.body && hasModifier(m, ts.SyntaxKind.StaticKeyword)) {
      ent.staticMethods.set(m.name.text, {
        kind: 'func', sym: `${prefix}.${m.name.text}`, decl: m, params: [], ret: VOID, type: ERROR, exported, extern: false,
        generic: !!m.typeParameters?.length, typeEnv,
      });
    }
    const abstract = hasModifier(m, ts.SyntaxKind.AbstractKeyword);
    if (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && (m.body || abstract) && !hasModifier(m, ts.SyntaxKind.StaticKeyword)) {
      ent.methods.set(m.name.text, {
        kind: 'func', sym: `${prefix}.${m.name.text}`, decl: m, params: [], ret: VOID, type: ERROR, exported, extern: false, struct: info,
        generic: !!m.typeParameters?.length, typeEnv, abstract,
      });
    }
  }
  // Accessors are methods named `get x` / `set x` (symbols `C.get_x`, `C.set_x`), dispatched like any other.
  for (const m of decl.members) {
    if ((ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) && ts.isIdentifier(m.name) && m.body && !hasModifier(m, ts.SyntaxKind.StaticKeyword)) {
      const kind = ts.isGetAccessorDeclaration(m) ? 'get' : 'set';
      ent.methods.set(`${kind} ${m.name.text}`, {
        kind: 'func', sym: `${prefix}.${kind}_${m.name.text}`, decl: m, params: [], ret: VOID, type: ERROR, exported, extern: false, struct: info, typeEnv,
      });
    }
  }
  const ctor = decl.members.find(ts.isConstructorDeclaration);
  const hasInit = decl.members.some((m) => ts.isPropertyDeclaration(m) && m.initializer && !hasModifier(m, ts.SyntaxKind.StaticKeyword));
  const derived = decl.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  if (ctor || hasInit || derived) {
    ent.ctor = { kind: 'func', sym: `${prefix}.constructor`, decl: ctor ?? decl, params: [], ret: VOID, type: ERROR, exported, extern: false, struct: info, ctorOf: decl, typeEnv };
  }
  return ent;
}

export function collectVariables(L: Lowerer, sf: ts.SourceFile, names: Map<ts.Node, string>): void {
  for (const stmt of sf.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    const exported = isExported(stmt);
    const isConst = !!(stmt.declarationList.flags & ts.NodeFlags.Const);
    const declared = hasModifier(stmt, ts.SyntaxKind.DeclareKeyword);
    for (const d of stmt.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) continue;
      const type = d.type ? resolveType(L, d.type, isSliceType(d.type)) : ERROR; // a module-level Slice is refused like a field
      if (!d.type && (declared || !d.initializer)) L.error(C.MISSING_TYPE, `module variable '${d.name.text}' needs a type annotation`, d.name);
      const scalarConst = isConst && !declared && (isInt(type) || type.kind === 'bool' || type.kind === 'string' || (!d.type && !!d.initializer && !ts.isArrayLiteralExpression(d.initializer)));
      if (scalarConst) L.entities.set(d, { kind: 'const', type: d.type ? type : ERROR, decl: d });
      else L.entities.set(d, { kind: 'global', type, sym: declared ? d.name.text : names.get(d)!, decl: d, exported: exported || declared, extern: declared, constant: isConst });
    }
  }
}

/**
 * Structs embedded in structs (Inline<T>) and type aliases of aliases are resolved recursively,
 * one level per declaration: past MAX_NESTING levels that is TSK3012, as for nested code.
 */
function nestedTooDeep(L: Lowerer, at: ts.Node): boolean {
  if (L.resolving.size < MAX_NESTING) return false;
  L.error(C.TOO_DEEP, `types are nested more than ${MAX_NESTING} levels deep here (structs inside structs by value, or aliases of aliases): use a reference for one level`, at);
  return true;
}

/** Lays out a class's instance fields (System V), once; a by-value cycle is an error. */
export function layout(L: Lowerer, ent: StructEntity, at: ts.Node): void {
  const s = ent.info;
  if (s.laidOut) return;
  if (L.resolving.has(s)) {
    L.error(C.STRUCT_CYCLE, `struct '${s.name}' contains itself by value`, at);
    s.laidOut = true;
    return;
  }
  if (nestedTooDeep(L, at)) {
    s.laidOut = true;
    return;
  }
  L.resolving.add(s);
  const savedEnv = L.typeEnv;
  L.typeEnv = ent.typeEnv;
  const fields: { name: string; type: Type }[] = [];
  // A polymorphic class starts with its base's fields (or the vtable pointer): a prefix of the same layout.
  const base = s.base && structEntity(L, s.base);
  if (base) {
    layout(L, base, at);
    fields.push(...base.info.fields.map((f) => ({ name: f.name, type: f.type })));
  } else if (s.poly) fields.push(VPTR_FIELD);
  for (const m of ent.decl.members) {
    if (!ts.isPropertyDeclaration(m) || hasModifier(m, ts.SyntaxKind.StaticKeyword) || !ts.isIdentifier(m.name)) continue;
    if (!m.type) {
      L.error(C.MISSING_TYPE, `field '${m.name.text}' needs a type annotation`, m.name);
      continue;
    }
    const t = resolveType(L, m.type, true);
    if (m.initializer && isAggregate(t)) {
      L.error(C.INLINE_FIELD_INIT, `inline field '${m.name.text}' cannot have an initialiser: declare it as '${m.name.text}!: ${typeName(t)}'`, m.initializer);
    }
    if (t.kind === 'void' || t.kind === 'never' || t.kind === 'fmt') L.error(C.TYPE_MISMATCH, `a field cannot have type ${typeName(t)}`, m.type);
    fields.push({ name: m.name.text, type: t });
  }
  L.typeEnv = savedEnv;
  L.resolving.delete(s);
  if (!s.laidOut) layoutStruct(s, fields);
}

export function signatures(L: Lowerer, e: FuncInfo | StructEntity): void {
  if (e.kind === 'class') {
    for (const m of e.methods.values()) if (!m.generic) signatures(L, m);
    if (!e.typeEnv) for (const m of e.staticMethods.values()) if (!m.generic) signatures(L, m);
    if (e.ctor) signatures(L, e.ctor);
    return;
  }
  const savedEnv = L.typeEnv;
  L.typeEnv = e.typeEnv;
  funcSignature(L, e);
  L.typeEnv = savedEnv;
}

function funcSignature(L: Lowerer, e: FuncInfo): void {
  const decl = e.decl;
  if (e.struct) e.params.push({ name: 'this', type: { kind: 'ref', struct: e.struct } });
  if (!ts.isClassDeclaration(decl)) {
    for (const p of decl.parameters) {
      if (p.dotDotDotToken) continue; // refused by check.ts
      const name = ts.isIdentifier(p.name) ? p.name.text : 'arg';
      let t: Type = p.type ? resolveType(L, p.type) : ERROR;
      if (isAggregate(t) || t.kind === 'void' || t.kind === 'never') {
        L.error(C.PARAM_TYPE, `a parameter cannot have type ${typeName(t)}: pass a reference`, p.type ?? p);
        t = ERROR;
      }
      e.params.push({ name, type: t, decl: p, dflt: defaultValue(L, p, t) });
    }
    if (decl.type) e.ret = resolveType(L, decl.type);
    else if (!ts.isConstructorDeclaration(decl) && !ts.isMethodSignature(decl) && decl.body && returnsValue(decl.body)) {
      L.error(C.RETURN_TYPE, 'a function that returns a value needs a return type annotation', decl.name ?? decl);
      e.ret = ERROR;
    }
    if (isAggregate(e.ret) || e.ret.kind === 'slice') {
      L.error(C.PARAM_TYPE, `a function cannot return ${typeName(e.ret)}: ${e.ret.kind === 'slice' ? 'take a Slice parameter, or return the address' : 'return a reference'}`, decl.type!);
      e.ret = ERROR;
    }
  } else if (e.ctorOf && e.struct) {
    const ent = structEntity(L, e.struct);
    if (ent) e.params.push(...inheritedCtorParams(L, ent));
  }
  e.type = { kind: 'func', params: e.params.filter((p) => p.name !== 'this' || !e.struct).map((p) => p.type), ret: e.ret };
  if (e.extern && !L.module.externs.includes(e.sym)) L.module.externs.push(e.sym);
}

/**
 * A parameter's default value, passed by the caller when the argument is omitted: a constant (as
 * C++'s default arguments); `p?: T` with no default is null, so only references may be optional.
 */
function defaultValue(L: Lowerer, p: ts.ParameterDeclaration, t: Type): Value | undefined {
  if (p.initializer) return constExpr(L, p.initializer, t)?.v;
  if (!p.questionToken) return undefined;
  if (t.kind !== 'ref' && t.kind !== 'func' && t.kind !== 'string' && t.kind !== 'error') {
    L.error(C.OPTIONAL_PARAM, `an optional ${typeName(t)} parameter would be undefined when omitted: give it a default value ('${p.name.getText()}: ${typeName(t)} = 0')`, p);
  }
  return konst(0n, 'l');
}

function isSliceType(n: ts.TypeNode): boolean {
  return ts.isTypeReferenceNode(n) && n.typeName.getText() === 'Slice';
}

// ---- types from annotations ----

export function resolveType(L: Lowerer, node: ts.TypeNode, field = false): Type {
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
      return resolveType(L, (node as ts.ParenthesizedTypeNode).type, field);
    case ts.SyntaxKind.UnionType: {
      const u = node as ts.UnionTypeNode;
      const rest = u.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
      if (rest.length !== 1 || u.types.length !== 2) return ERROR; // refused by check.ts
      const t = resolveType(L, rest[0], field);
      if (t.kind !== 'ref' && t.kind !== 'func' && t.kind !== 'string' && t.kind !== 'error') {
        L.error(C.UNION, `'${typeName(t)} | null': only references (class types, functions, strings) can be null`, node);
        return ERROR;
      }
      return t;
    }
    case ts.SyntaxKind.ArrayType:
      return { kind: 'table', elem: resolveType(L, (node as ts.ArrayTypeNode).elementType), length: -1 };
    case ts.SyntaxKind.TypeOperator: {
      const op = node as ts.TypeOperatorNode;
      if (op.operator === ts.SyntaxKind.ReadonlyKeyword && ts.isArrayTypeNode(op.type)) return resolveType(L, op.type);
      L.error(C.UNSUPPORTED_TYPE, `type operator '${node.getText()}' is not supported`, node);
      return ERROR;
    }
    case ts.SyntaxKind.FunctionType: {
      const f = node as ts.FunctionTypeNode;
      const params = f.parameters.map((p) => (p.type ? resolveType(L, p.type) : ERROR));
      return { kind: 'func', params, ret: resolveType(L, f.type) };
    }
    case ts.SyntaxKind.TypeReference:
      return resolveTypeRef(L, node as ts.TypeReferenceNode, field);
    case ts.SyntaxKind.AnyKeyword: case ts.SyntaxKind.UnknownKeyword: case ts.SyntaxKind.NumberKeyword:
    case ts.SyntaxKind.BigIntKeyword: case ts.SyntaxKind.ObjectKeyword: case ts.SyntaxKind.SymbolKeyword:
    case ts.SyntaxKind.UndefinedKeyword: case ts.SyntaxKind.TupleType: case ts.SyntaxKind.TypeLiteral:
    case ts.SyntaxKind.IntersectionType: case ts.SyntaxKind.TypeQuery: case ts.SyntaxKind.IndexedAccessType:
    case ts.SyntaxKind.ConditionalType: case ts.SyntaxKind.MappedType: case ts.SyntaxKind.LiteralType:
      return ERROR; // refused by check.ts
    default:
      L.error(C.UNSUPPORTED_TYPE, `type '${node.getText()}' is not supported`, node);
      return ERROR;
  }
}

function resolveTypeRef(L: Lowerer, node: ts.TypeReferenceNode, field: boolean): Type {
  const name = node.typeName.getText();
  const args = node.typeArguments ?? [];
  const decl = declOf(L, node.typeName);
  const fromPrelude = !decl || decl.getSourceFile().isDeclarationFile;
  if (fromPrelude) {
    if (INT_TYPES[name]) return INT_TYPES[name];
    if (name === 'bool') return BOOL;
    if (name === 'fmt') return FMT;
    if (name === 'Inline' && args.length === 1) {
      const t = resolveType(L, args[0], field);
      if (t.kind === 'ref') {
        const ent = structEntity(L, t.struct);
        if ((t.struct.poly || t.struct.isInterface) && !staticObject(ent, node)) {
          L.error(C.INHERITANCE, `Inline<${t.struct.name}>: a class with a base, subclasses or interfaces lives only behind references, or in a module variable \`let x!: Inline<C>\` of a class that is not abstract (new, or the variable's initial data, sets its vtable pointer)`, node);
          return ERROR;
        }
        if (ent) layout(L, ent, node);
        return { kind: 'inline', struct: t.struct };
      }
      if (t.kind !== 'error') L.error(C.UNSUPPORTED_TYPE, `Inline<T> needs a class type, not ${typeName(t)}`, node);
      return ERROR;
    }
    if (name === 'InlineArray' && args.length === 2) {
      let elem = resolveType(L, args[0], true);
      const lenNode = args[1];
      const len = ts.isLiteralTypeNode(lenNode) ? literalValue(lenNode.literal as ts.Expression) : null;
      if (len === null || len < 0n) {
        L.error(C.ARRAY_LENGTH, 'the length of an InlineArray must be a non-negative integer literal', lenNode);
        return ERROR;
      }
      if (len > 0x7fffffffn) {
        L.error(C.ARRAY_LENGTH, `an InlineArray of ${len} elements is too large: the length must be below 2^31 (code addresses data with signed 32-bit displacements)`, lenNode);
        return ERROR;
      }
      if (elem.kind === 'void' || elem.kind === 'never' || elem.kind === 'fmt') {
        L.error(C.UNSUPPORTED_TYPE, `InlineArray of ${typeName(elem)} is not supported`, args[0]);
        elem = ERROR;
      }
      if (BigInt(sizeOf(elem)) * len > 0x7fffffffn) {
        L.error(C.ARRAY_LENGTH, `an InlineArray of ${BigInt(sizeOf(elem)) * len} bytes is too large: it must be below 2 GiB (code addresses data with signed 32-bit displacements)`, lenNode);
        return ERROR;
      }
      return { kind: 'array', elem, length: Number(len) };
    }
    if (name === 'Slice' && args.length === 1) {
      const elem = resolveType(L, args[0], true);
      if (field) {
        L.error(C.UNSUPPORTED_TYPE, 'a Slice<T> is a local or a parameter: store its ptr and length in fields', node);
        return ERROR;
      }
      return { kind: 'slice', elem };
    }
    if ((name === 'ReadonlyArray' || name === 'Array') && args.length === 1) return { kind: 'table', elem: resolveType(L, args[0]), length: -1 };
    if (!decl) return ERROR; // TypeScript reports the unknown name
    L.error(C.UNSUPPORTED_TYPE, `type '${name}' is not supported`, node);
    return ERROR;
  }
  if (ts.isTypeParameterDeclaration(decl)) return L.typeEnv?.get(decl) ?? ERROR; // a template is never lowered itself
  const ent = L.entities.get(decl);
  if (ent?.kind === 'class' && ent.generic) {
    const inst = instantiateClass(L, ent, args.map((a) => resolveType(L, a)), node);
    return inst ? { kind: 'ref', struct: inst.info } : ERROR;
  }
  if (ent?.kind === 'class') return { kind: 'ref', struct: ent.info };
  if (ent?.kind === 'enum') return I32;
  if (ts.isTypeAliasDeclaration(decl)) {
    if (L.resolving.has(decl)) {
      L.error(C.UNSUPPORTED_TYPE, `type alias '${name}' refers to itself`, node);
      return ERROR;
    }
    if (nestedTooDeep(L, node)) return ERROR;
    L.resolving.add(decl);
    const t = resolveType(L, decl.type, field);
    L.resolving.delete(decl);
    return t;
  }
  L.error(C.UNSUPPORTED_TYPE, `type '${name}' is not supported`, node);
  return ERROR;
}

/**
 * `let x!: Inline<C>` at module level, C a class that is not abstract: a static object of a
 * polymorphic class, whose vtable pointer is in its initial data (lowerGlobal), so that it can be
 * used through its base or interface types without allocation (the kernel's drivers).
 */
function staticObject(ent: StructEntity | undefined, node: ts.TypeReferenceNode): boolean {
  const d = node.parent;
  return !!ent && ent.kind === 'class' && !ent.info.isInterface && !hasModifier(ent.decl, ts.SyntaxKind.AbstractKeyword) &&
    ts.isVariableDeclaration(d) && d.type === node && ts.isVariableStatement(d.parent.parent) && ts.isSourceFile(d.parent.parent.parent);
}

export function structEntity(L: Lowerer, s: StructInfo): StructEntity | undefined {
  return L.structs.get(s);
}

/** The declaration a name refers to, through imports. */
export function declOf(L: Lowerer, node: ts.Node): ts.Declaration | undefined {
  let sym = L.checker.getSymbolAtLocation(node);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = L.checker.getAliasedSymbol(sym);
  return sym?.declarations?.[0] ?? (sym?.valueDeclaration as ts.Declaration | undefined);
}

// ---- module variables, constants and tables ----

export function lowerGlobal(L: Lowerer, e: Extract<Entity, { kind: 'global' }>): void {
  const d = e.decl;
  const name = (d.name as ts.Identifier).text;
  let t = e.type;
  if (e.extern) {
    if (!L.module.externs.includes(e.sym)) L.module.externs.push(e.sym);
    return;
  }
  if (!d.type && d.initializer && !ts.isArrayLiteralExpression(d.initializer)) {
    // `let x = 5` at module level: the type of the constant initialiser.
    const tv = constExpr(L, d.initializer);
    t = e.type = tv && tv.t.kind !== 'null' ? tv.t : ERROR;
    if (tv?.t.kind === 'null') L.error(C.MISSING_TYPE, `'${name}' needs a type annotation, such as 'T | null'`, d.name);
  }
  const g: Global = { name: e.sym, exported: e.exported, section: 'bss', align: 8, size: 8, relocs: [], loc: nodeLoc(d) };
  if (t.kind === 'table') {
    const init = d.initializer;
    if (!init || !ts.isArrayLiteralExpression(init)) {
      L.error(C.NOT_CONSTANT, `table '${name}' needs an array literal initialiser`, d.name);
      return;
    }
    // A table of a class type written with object literals holds the structs themselves (C's
    // `const struct entry T[] = {{...}, ...}`), not references.
    const structs = t.elem.kind === 'ref' && init.elements.length > 0 && init.elements.every(ts.isObjectLiteralExpression);
    const elem: Type = structs && t.elem.kind === 'ref' ? { kind: 'inline', struct: t.elem.struct } : t.elem;
    if (elem.kind === 'inline' && (elem.struct.poly || elem.struct.isInterface)) {
      L.error(C.INHERITANCE, `a table of ${elem.struct.name} structs: a class with a vtable lives only behind references`, d.type ?? d.name);
      return;
    }
    t = e.type = { kind: 'table', elem, length: init.elements.length };
    const es = sizeOf(elem);
    g.size = Math.max(es * init.elements.length, 1);
    g.align = Math.max(alignOf(elem), 1);
    g.bytes = new Uint8Array(g.size);
    init.elements.forEach((el, i) => {
      if (elem.kind === 'inline' && ts.isObjectLiteralExpression(el)) structInto(L, g, i * es, el, elem.struct);
      else constInto(L, g, i * es, el, elem);
    });
    g.section = e.constant ? 'rodata' : 'data';
  } else {
    g.size = Math.max(sizeOf(t), 1);
    g.align = Math.max(alignOf(t), 1);
    if (t.kind === 'inline' && t.struct.poly) {
      // A static object (staticObject): zeroed but for its vtable pointer.
      g.bytes = new Uint8Array(g.size);
      g.relocs.push({ offset: 0, width: 8, sym: `${t.struct.symbolPrefix}.vtable`, addend: 0n });
      g.section = 'data';
      g.fixedVptr = true;
    } else if (d.initializer && !isAggregate(t)) {
      g.bytes = new Uint8Array(g.size);
      constInto(L, g, 0, d.initializer, t);
      g.section = g.bytes.some((x) => x) || g.relocs.length ? 'data' : 'bss';
      if (g.section === 'bss') g.bytes = undefined;
    } else if (!isAggregate(t) && !d.exclamationToken && t.kind !== 'error') {
      L.error(C.NOT_CONSTANT, `module variable '${name}' needs an initialiser (or '!' for zeroed storage)`, d.name);
    }
  }
  L.module.globals.push(g);
}

/** An object literal in a table of structs: each named field's constant at its offset, the others zero. */
function structInto(L: Lowerer, g: Global, offset: number, lit: ts.ObjectLiteralExpression, s: StructInfo): void {
  for (const p of lit.properties) {
    if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) {
      L.error(C.OBJECT_LITERAL, 'a struct literal in a table lists `field: constant` pairs only', p);
      continue;
    }
    const f = s.fieldMap.get(p.name.text);
    if (!f) {
      L.error(C.UNKNOWN_FIELD, `'${s.name}' has no field '${p.name.text}'`, p.name);
      continue;
    }
    if (isAggregate(f.type)) {
      L.error(C.OBJECT_LITERAL, `field '${f.name}' is stored inline: a table literal sets scalar fields only`, p);
      continue;
    }
    constInto(L, g, offset + f.offset, p.initializer, f.type);
  }
}

/** Evaluates a constant initialiser into a global's bytes (integers, bools, null, strings, functions). */
function constInto(L: Lowerer, g: Global, offset: number, node: ts.Expression, t: Type): void {
  const tv = constExpr(L, node, t);
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
export function constExpr(L: Lowerer, node: ts.Expression, want?: Type): TV | null {
  const saved = { b: L.b, fn: L.fn };
  L.b = new Builder();
  L.fn = undefined;
  let tv: TV;
  try {
    tv = want ? { t: want, v: exprAs(L, node, want) } : expr(L, node);
  } finally {
    const scratch = L.b;
    L.b = saved.b;
    L.fn = saved.fn;
    if (tv!?.t.kind !== 'error' && (scratch.blocks.length > 1 || scratch.blocks[0].insts.length > 0 || tv!.v.kind === 'vreg')) {
      L.error(C.NOT_CONSTANT, 'expected a compile-time constant expression', node);
      tv! = ZERO_TV;
    }
  }
  return tv.t.kind === 'error' ? null : tv;
}

export function constValue(L: Lowerer, e: Extract<Entity, { kind: 'const' }>): TV | null {
  if (e.value !== undefined) return e.value;
  if (e.evaluating) {
    L.error(C.NOT_CONSTANT, `constant '${e.decl.name.getText()}' depends on itself`, e.decl.name);
    return (e.value = null);
  }
  e.evaluating = true;
  const init = e.decl.initializer;
  let tv: TV | null = null;
  if (!init) L.error(C.NOT_CONSTANT, `constant '${e.decl.name.getText()}' needs an initialiser`, e.decl.name);
  else tv = constExpr(L, init, e.type.kind === 'error' && !e.decl.type ? undefined : e.type);
  e.evaluating = false;
  return (e.value = tv);
}

export function stringSym(L: Lowerer, text: string): string {
  let sym = L.strings.get(text);
  if (!sym) {
    sym = `__str.${L.strings.size}`;
    L.strings.set(text, sym);
    const utf8 = new TextEncoder().encode(text);
    const bytes = new Uint8Array(8 + utf8.length + 1);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(utf8.length), true);
    bytes.set(utf8, 8);
    L.module.globals.push({ name: sym, exported: false, section: 'rodata', align: 8, size: bytes.length, bytes, relocs: [] });
  }
  L.effects?.strings.push([text, sym]);
  return sym;
}

// ---- helpers ----

/** An integer literal, possibly negated; null for anything else (a float was reported by check.ts). */
function literalValue(e: ts.Expression): bigint | null {
  const neg = ts.isPrefixUnaryExpression(e) && e.operator === S.MinusToken;
  const lit = neg ? (e as ts.PrefixUnaryExpression).operand : e;
  if (!ts.isNumericLiteral(lit) || isFloatText(lit.getText())) return null;
  const v = BigInt(lit.getText().replace(/_/g, ''));
  return neg ? -v : v;
}

/** The declarations a top-level statement introduces into the linker's namespace. */
function topLevelNames(stmt: ts.Statement): { node: ts.Node; name: string; exported: boolean }[] {
  const exported = isExported(stmt);
  if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt)) && stmt.name) {
    if (ts.isFunctionDeclaration(stmt) && !stmt.body) return [];
    return [{ node: stmt, name: stmt.name.text, exported }];
  }
  if (ts.isVariableStatement(stmt) && !hasModifier(stmt, S.DeclareKeyword)) {
    return stmt.declarationList.declarations.filter((d) => ts.isIdentifier(d.name)).map((d) => ({ node: d, name: (d.name as ts.Identifier).text, exported }));
  }
  return [];
}

/** Whether a function body returns a value (nested functions not counted). */
export function returnsValue(body: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) found = true;
    else n.forEachChild(visit);
  };
  body.forEachChild(visit);
  return found;
}
