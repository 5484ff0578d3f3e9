// The subset check: one walk over every user source file that refuses the TypeScript constructs the
// language leaves out (see docs/language.md). It is purely syntactic and runs before lowering, so
// that a program full of unsupported code gets one clear error per construct. The type rules
// (widths, signedness, literal ranges) need the compiler's types and are checked in lower.ts.
//
// Every diagnostic code the front end can produce is listed in CODES, with its message template;
// docs/diagnostics.md explains each one.

import { ts, nodeLoc } from './program.js';
import { DiagnosticBag, type Diagnostic } from '../../linker/diag.js';
import { TOO_DEEP } from './nesting.js';

export const CODES = {
  // TSK1xxx: constructs the language refuses
  VAR: 'TSK1001',
  NESTED_FUNCTION: 'TSK1002',
  ANY: 'TSK1003',
  UNKNOWN: 'TSK1004',
  TRY: 'TSK1005',
  THROW: 'TSK1006',
  ASYNC: 'TSK1007',
  GENERATOR: 'TSK1008',
  REGEX: 'TSK1009',
  SPREAD: 'TSK1010',
  DESTRUCTURING: 'TSK1011',
  OPTIONAL_CHAINING: 'TSK1012',
  TYPEOF: 'TSK1013',
  INSTANCEOF: 'TSK1014',
  IN: 'TSK1015',
  DELETE: 'TSK1016',
  FOR_IN_OF: 'TSK1017',
  INHERITANCE: 'TSK1018',
  ACCESSOR: 'TSK1019',
  OBJECT_LITERAL: 'TSK1020',
  UNION: 'TSK1021',
  LIBRARY: 'TSK1022',
  STRING_CONCAT: 'TSK1023',
  FLOAT: 'TSK1024',
  NUMBER: 'TSK1025',
  BIGINT: 'TSK1026',
  CAST: 'TSK1027',
  STATIC: 'TSK1028',
  TOP_LEVEL_CODE: 'TSK1029',
  ARRAY_LITERAL: 'TSK1030',
  EXPONENT: 'TSK1031',
  DEBUGGER: 'TSK1032',
  CLASS_EXPRESSION: 'TSK1033',
  OPTIONAL_PARAM: 'TSK1034',
  REST_PARAM: 'TSK1035',
  NAMESPACE: 'TSK1036',
  VOID_OP: 'TSK1037',
  COMMA: 'TSK1038',
  DECORATOR: 'TSK1039',
  TEMPLATE: 'TSK1040',
  UNDEFINED: 'TSK1041',
  PRIVATE_NAME: 'TSK1042',
  GENERIC: 'TSK1043',
  IMPORT_FORM: 'TSK1044',
  COMPUTED_NAME: 'TSK1045',
  LABEL_NON_LOOP: 'TSK1046',
  NULLISH: 'TSK1047',
  UNSUPPORTED_TYPE: 'TSK1048',
  ENUM_FORM: 'TSK1049',
  OVERLOAD: 'TSK1050',
  ELEMENT_ACCESS: 'TSK1051',
  SYMBOL_TYPE: 'TSK1052',
  PARAM_PROPERTY: 'TSK1053',
  // TSK2xxx: type rules
  LITERAL_RANGE: 'TSK2001',
  MIXED_SIGNEDNESS: 'TSK2002',
  NARROWING: 'TSK2003',
  TYPE_MISMATCH: 'TSK2004',
  BAD_OPERAND: 'TSK2005',
  BAD_CONDITION: 'TSK2006',
  TYPE_ARGUMENT: 'TSK2007',
  HEX_OUTSIDE_FMT: 'TSK2008',
  FMT_USE: 'TSK2009',
  OFFSETOF: 'TSK2010',
  NOT_CONSTANT: 'TSK2011',
  CONST_DIV_ZERO: 'TSK2012',
  CHANGETYPE: 'TSK2013',
  NOT_ASSIGNABLE: 'TSK2014',
  ADDRESS_OF: 'TSK2015',
  FMT_HOLE: 'TSK2016',
  VOID_VALUE: 'TSK2017',
  NOT_CALLABLE: 'TSK2018',
  ARRAY_LENGTH: 'TSK2019',
  BAD_INDEX: 'TSK2020',
  PARAM_TYPE: 'TSK2021',
  SWITCH_CASE: 'TSK2022',
  STRING_COMPARE: 'TSK2023',
  GENERIC_CONSTRAINT: 'TSK2024',
  OVERRIDE: 'TSK2025',
  INDEX_RANGE: 'TSK2026',
  // TSK3xxx: other
  NO_PROGRAM: 'TSK3001',
  UNKNOWN_NAME: 'TSK3002',
  STRUCT_CYCLE: 'TSK3003',
  UNKNOWN_FIELD: 'TSK3004',
  DUPLICATE_SYMBOL: 'TSK3005',
  NO_ALLOCATOR: 'TSK3006',
  INLINE_FIELD_INIT: 'TSK3007',
  MISSING_TYPE: 'TSK3008',
  BAD_DECLARATION: 'TSK3009',
  RETURN_TYPE: 'TSK3010',
  BAD_SYMBOL_NAME: 'TSK3011',
  TOO_DEEP, // 'TSK3012', nesting.ts
  ENTRY: 'TSK3013',
} as const;

const C = CODES;

/** Library globals a JavaScript programmer reaches for; the language has none of them. */
const LIBRARY_NAMES = new Set(['Object', 'Array', 'Math', 'JSON', 'console', 'Number', 'String', 'Boolean',
  'Date', 'Promise', 'Map', 'Set', 'Symbol', 'Reflect', 'parseInt', 'parseFloat', 'BigInt', 'Uint8Array',
  'Int32Array', 'ArrayBuffer', 'DataView', 'Error', 'process', 'globalThis', 'window', 'isNaN', 'NaN', 'Infinity']);

/** Syntax kinds refused wherever they appear, with their code and message. */
const REFUSED: [ts.SyntaxKind, string, string][] = [
  [ts.SyntaxKind.AnyKeyword, C.ANY, '`any` is not supported: give the value a concrete type'],
  [ts.SyntaxKind.UnknownKeyword, C.UNKNOWN, '`unknown` is not supported: give the value a concrete type'],
  [ts.SyntaxKind.NumberKeyword, C.NUMBER, '`number` is not supported: use an integer type such as i32, u32, u64 or usize'],
  [ts.SyntaxKind.BigIntKeyword, C.BIGINT, '`bigint` is not supported: use i64 or u64'],
  [ts.SyntaxKind.BigIntLiteral, C.BIGINT, 'bigint literals are not supported: write a plain integer literal (i64/u64 by context)'],
  [ts.SyntaxKind.SymbolKeyword, C.SYMBOL_TYPE, '`symbol` is not supported'],
  [ts.SyntaxKind.ObjectKeyword, C.UNSUPPORTED_TYPE, '`object` is not supported: use a class type'],
  [ts.SyntaxKind.UndefinedKeyword, C.UNDEFINED, '`undefined` is not supported: use `T | null` and `null`'],
  [ts.SyntaxKind.TryStatement, C.TRY, 'try/catch/finally is not supported: return an error code'],
  [ts.SyntaxKind.ThrowStatement, C.THROW, '`throw` is not supported: return an error code or call a panic function'],
  [ts.SyntaxKind.AwaitExpression, C.ASYNC, '`await` is not supported'],
  [ts.SyntaxKind.YieldExpression, C.GENERATOR, 'generators are not supported'],
  [ts.SyntaxKind.RegularExpressionLiteral, C.REGEX, 'regular expressions are not supported'],
  [ts.SyntaxKind.SpreadElement, C.SPREAD, 'spread (`...`) is not supported'],
  [ts.SyntaxKind.SpreadAssignment, C.SPREAD, 'spread (`...`) is not supported'],
  [ts.SyntaxKind.ObjectBindingPattern, C.DESTRUCTURING, 'destructuring is not supported: declare one variable at a time'],
  [ts.SyntaxKind.ArrayBindingPattern, C.DESTRUCTURING, 'destructuring is not supported: declare one variable at a time'],
  [ts.SyntaxKind.TypeOfExpression, C.TYPEOF, '`typeof` is not supported: types are known at compile time'],
  [ts.SyntaxKind.DeleteExpression, C.DELETE, '`delete` is not supported: use destroy(obj) to free a struct'],
  [ts.SyntaxKind.ForInStatement, C.FOR_IN_OF, 'for-in is not supported: use a counted for loop'],
  [ts.SyntaxKind.AsExpression, C.CAST, '`as` casts are not supported: convert with a call such as u32(x), or changetype<T>(x)'],
  [ts.SyntaxKind.TypeAssertionExpression, C.CAST, 'type assertions are not supported: convert with a call such as u32(x), or changetype<T>(x)'],
  [ts.SyntaxKind.SatisfiesExpression, C.CAST, '`satisfies` is not supported'],
  [ts.SyntaxKind.DebuggerStatement, C.DEBUGGER, '`debugger` is not supported'],
  [ts.SyntaxKind.ClassExpression, C.CLASS_EXPRESSION, 'class expressions are not supported: declare the class at module level'],
  [ts.SyntaxKind.ModuleDeclaration, C.NAMESPACE, 'namespaces are not supported: use a module file'],
  [ts.SyntaxKind.VoidExpression, C.VOID_OP, 'the `void` operator is not supported'],
  [ts.SyntaxKind.Decorator, C.DECORATOR, 'decorators are not supported: use a JSDoc tag such as /** @inline */'],
  [ts.SyntaxKind.TaggedTemplateExpression, C.TEMPLATE, 'tagged templates are not supported'],
  [ts.SyntaxKind.PrivateIdentifier, C.PRIVATE_NAME, '#private names are not supported'],
  [ts.SyntaxKind.ComputedPropertyName, C.COMPUTED_NAME, 'computed property names are not supported'],
  [ts.SyntaxKind.ExportAssignment, C.IMPORT_FORM, '`export default` / `export =` are not supported: use named exports'],
  [ts.SyntaxKind.TupleType, C.UNSUPPORTED_TYPE, 'tuple types are not supported'],
  [ts.SyntaxKind.TypeLiteral, C.UNSUPPORTED_TYPE, 'object types are not supported: use a class'],
  [ts.SyntaxKind.IndexedAccessType, C.UNSUPPORTED_TYPE, 'indexed access types are not supported'],
  [ts.SyntaxKind.ConditionalType, C.UNSUPPORTED_TYPE, 'conditional types are not supported'],
  [ts.SyntaxKind.MappedType, C.UNSUPPORTED_TYPE, 'mapped types are not supported'],
  [ts.SyntaxKind.TypeQuery, C.UNSUPPORTED_TYPE, '`typeof` types are not supported'],
  [ts.SyntaxKind.IntersectionType, C.UNSUPPORTED_TYPE, 'intersection types are not supported'],
];

const refusedByKind = new Map(REFUSED.map(([k, code, msg]) => [k, { code, msg }]));

const BINARY_REFUSED: Partial<Record<ts.SyntaxKind, [string, string]>> = {
  [ts.SyntaxKind.InstanceOfKeyword]: [C.INSTANCEOF, '`instanceof` is not supported: there is no run-time type information'],
  [ts.SyntaxKind.InKeyword]: [C.IN, 'the `in` operator is not supported'],
  [ts.SyntaxKind.AsteriskAsteriskToken]: [C.EXPONENT, '`**` is not supported: multiply in a loop'],
  [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: [C.EXPONENT, '`**=` is not supported: multiply in a loop'],
  [ts.SyntaxKind.CommaToken]: [C.COMMA, 'the comma operator is not supported: use separate statements'],
};

/**
 * The check reads nothing but a file's syntax, and TypeScript's SourceFile of an unchanged text is
 * the same object from one build to the next (program.ts): a rebuild checks only the edited files.
 */
const checked = new WeakMap<ts.SourceFile, Diagnostic[]>();

export function checkSubset(files: readonly ts.SourceFile[], diags: DiagnosticBag): void {
  for (const sf of files) {
    let found = checked.get(sf);
    if (!found) {
      const own = new DiagnosticBag();
      for (const stmt of sf.statements) checkTopLevel(stmt, own);
      visit(sf, own, 0);
      checked.set(sf, (found = own.items));
    }
    diags.items.push(...found);
  }
}

/** Module level holds declarations only: code runs from functions. */
function checkTopLevel(stmt: ts.Statement, diags: DiagnosticBag): void {
  const ok =
    ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isVariableStatement(stmt) ||
    ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) ||
    ts.isInterfaceDeclaration(stmt) || ts.isEnumDeclaration(stmt) || ts.isEmptyStatement(stmt) ||
    ts.isModuleDeclaration(stmt) || ts.isExportAssignment(stmt);
  if (!ok) diags.error(C.TOP_LEVEL_CODE, 'statements are not allowed at module level: put code in a function', nodeLoc(stmt));
}

function visit(node: ts.Node, diags: DiagnosticBag, fnDepth: number): void {
  const err = (code: string, msg: string, at: ts.Node = node) => diags.error(code, msg, nodeLoc(at));
  const refused = refusedByKind.get(node.kind);
  if (refused) err(refused.code, refused.msg);

  if (ts.isVariableDeclarationList(node) && !(node.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) {
    err(C.VAR, '`var` is not supported: use `let` or `const`', node.parent);
  }
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) {
    checkFunction(node, fnDepth, diags);
    node.forEachChild((c) => visit(c, diags, fnDepth + 1));
    return;
  }
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    // Allowed when they capture nothing (lambda.ts checks that).
    if (hasModifier(node, ts.SyntaxKind.AsyncKeyword)) err(C.ASYNC, 'async functions are not supported');
    if (node.asteriskToken) err(C.GENERATOR, 'generators are not supported');
    if (node.typeParameters) err(C.GENERIC, 'generic lambdas are not supported: declare a generic function', node.typeParameters[0]);
    for (const p of node.parameters) {
      if (p.questionToken || p.initializer) err(C.OPTIONAL_PARAM, 'optional and default parameters are not supported in lambdas (they are called through function values)', p);
      if (p.dotDotDotToken) err(C.REST_PARAM, 'rest parameters are not supported', p);
    }
    node.forEachChild((c) => visit(c, diags, fnDepth + 1));
    return;
  }
  if (ts.isClassDeclaration(node)) checkClass(node, diags);
  if (ts.isObjectLiteralExpression(node) && !(ts.isArrayLiteralExpression(node.parent) && isTableInitialiser(node.parent))) {
    err(C.OBJECT_LITERAL, 'object literals are allowed only as the elements of a module-level table of structs (`const T: Entry[] = [{ a: 1 }]`): use `new` on a class');
  }
  if (ts.isFunctionTypeNode(node)) {
    for (const p of node.parameters) if (p.questionToken) err(C.OPTIONAL_PARAM, 'a function type cannot have optional parameters: a call through it cannot fill them in', p);
  }
  if (ts.isInterfaceDeclaration(node)) checkInterface(node, diags);
  if (ts.isTypeAliasDeclaration(node) && node.typeParameters) err(C.GENERIC, 'generic type aliases are not supported: use the class type itself', node.typeParameters[0]);
  if (ts.isEnumDeclaration(node)) {
    for (const m of node.members) {
      if (m.initializer && !ts.isNumericLiteral(m.initializer) && !isNegLiteral(m.initializer)) {
        err(C.ENUM_FORM, 'enum members must be integer literals', m.initializer);
      }
    }
  }
  if (ts.isImportDeclaration(node)) checkImport(node, diags);
  // `?.` on a property or a method call is lowered by nullish.ts; on an element or a function value it is refused.
  if ((ts.isElementAccessExpression(node) || (ts.isCallExpression(node) && !ts.isPropertyAccessExpression(node.expression))) && node.questionDotToken) {
    err(C.OPTIONAL_CHAINING, 'optional chaining (`?.`) is supported on fields and method calls only: compare with null');
  }
  if (ts.isElementAccessExpression(node) && (ts.isStringLiteral(node.argumentExpression) || ts.isNoSubstitutionTemplateLiteral(node.argumentExpression))) {
    err(C.ELEMENT_ACCESS, 'dynamic property access is not supported: use `obj.field`', node.argumentExpression);
  }
  if (ts.isBinaryExpression(node)) {
    const r = BINARY_REFUSED[node.operatorToken.kind];
    if (r) err(r[0], r[1], node.operatorToken);
    if (node.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isArrayLiteralExpression(node.left) || ts.isObjectLiteralExpression(node.left))) {
      err(C.DESTRUCTURING, 'destructuring is not supported: assign one variable at a time', node.left);
    }
  }
  if (ts.isNumericLiteral(node) && isFloatText(node.getText())) {
    err(C.FLOAT, 'floating-point literals are not supported (the kernel runs with SSE off): use integers');
  }
  if (ts.isIdentifier(node) && isValueUse(node)) checkIdentifier(node, diags);
  if (ts.isLabeledStatement(node) && !isLoop(node.statement)) {
    err(C.LABEL_NON_LOOP, 'labels are allowed on loops only');
  }
  if (ts.isArrayLiteralExpression(node) && !isTableInitialiser(node)) {
    err(C.ARRAY_LITERAL, 'array literals are allowed only as the initialiser of a module-level table (`const T: u32[] = [...]`)');
  }
  if (ts.isUnionTypeNode(node) && !isNullableUnion(node) && !node.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword)) {
    err(C.UNION, 'union types are not supported, except `T | null` for a class type T');
  }
  if (ts.isLiteralTypeNode(node) && !ts.isUnionTypeNode(node.parent) && node.literal.kind !== ts.SyntaxKind.NullKeyword &&
      !(ts.isTypeReferenceNode(node.parent) && node.parent.typeArguments?.includes(node))) {
    err(C.UNSUPPORTED_TYPE, 'literal types are not supported');
  }
  node.forEachChild((c) => visit(c, diags, fnDepth));
}

/** Functions and methods: at module or class level, plain signatures, one body each. */
function checkFunction(node: ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration, fnDepth: number, diags: DiagnosticBag): void {
  const err = (code: string, msg: string, at: ts.Node = node) => diags.error(code, msg, nodeLoc(at));
  if (fnDepth > 0) err(C.NESTED_FUNCTION, 'nested functions are not supported: declare functions at module level');
  if (hasModifier(node, ts.SyntaxKind.AsyncKeyword)) err(C.ASYNC, 'async functions are not supported');
  if (node.asteriskToken) err(C.GENERATOR, 'generators are not supported');
  // A body-less declaration is fine in a .d.ts or with `declare`; elsewhere it is an overload.
  if (!node.body && !hasModifier(node, ts.SyntaxKind.DeclareKeyword) && !hasModifier(node, ts.SyntaxKind.AbstractKeyword) && !node.getSourceFile().isDeclarationFile) {
    err(C.OVERLOAD, 'overload signatures are not supported: declare one implementation');
  }
  for (const p of node.parameters) {
    if (p.dotDotDotToken) err(C.REST_PARAM, 'rest parameters are not supported', p);
  }
}

function checkClass(node: ts.ClassDeclaration, diags: DiagnosticBag): void {
  const err = (code: string, msg: string, at: ts.Node = node) => diags.error(code, msg, nodeLoc(at));
  if (hasModifier(node, ts.SyntaxKind.DefaultKeyword)) err(C.IMPORT_FORM, '`export default` is not supported: use named exports');
  for (const m of node.members) checkMember(m, diags);
}

/** An interface is a set of methods that classes implement: no fields, no generics. */
function checkInterface(node: ts.InterfaceDeclaration, diags: DiagnosticBag): void {
  const err = (code: string, msg: string, at: ts.Node) => diags.error(code, msg, nodeLoc(at));
  if (node.typeParameters) err(C.GENERIC, 'generic interfaces are not supported', node.typeParameters[0]);
  for (const m of node.members) {
    if (!ts.isMethodSignature(m)) err(C.INHERITANCE, 'an interface declares methods only: put fields in a (base) class', m);
    else if (m.typeParameters) err(C.GENERIC, 'generic interface methods are not supported', m.typeParameters[0]);
    else if (m.questionToken) err(C.INHERITANCE, 'optional interface methods are not supported', m);
  }
}

/** Names of the JavaScript world that do not exist in the language. */
function checkIdentifier(id: ts.Identifier, diags: DiagnosticBag): void {
  if (LIBRARY_NAMES.has(id.text)) {
    diags.error(C.LIBRARY, `\`${id.text}\` is not available: there is no JavaScript library; use the prelude's intrinsics`, nodeLoc(id));
  }
  if (id.text === 'undefined') diags.error(C.UNDEFINED, '`undefined` is not supported: use `null` for a missing reference', nodeLoc(id));
  if (id.text === 'arguments') diags.error(C.UNKNOWN_NAME, '`arguments` is not supported', nodeLoc(id));
}

function checkMember(m: ts.ClassElement, diags: DiagnosticBag): void {
  const err = (code: string, msg: string, at: ts.Node = m) => diags.error(code, msg, nodeLoc(at));
  const isStatic = hasModifier(m, ts.SyntaxKind.StaticKeyword);
  if (ts.isClassStaticBlockDeclaration(m)) err(C.STATIC, 'static blocks are not supported');
  else if (isStatic && !(ts.isPropertyDeclaration(m) && hasModifier(m, ts.SyntaxKind.ReadonlyKeyword) && m.initializer) && !(ts.isMethodDeclaration(m) && m.body)) {
    err(C.STATIC, 'static members are not supported, except static methods and `static readonly` integer constants: use module-level variables');
  }
  if (ts.isIndexSignatureDeclaration(m)) err(C.UNSUPPORTED_TYPE, 'index signatures are not supported: use InlineArray<T, N>');
  if (hasModifier(m, ts.SyntaxKind.AbstractKeyword) && !ts.isMethodDeclaration(m)) err(C.INHERITANCE, 'only methods can be abstract');
  if (ts.isPropertyDeclaration(m) && m.questionToken) err(C.PARAM_PROPERTY, 'optional fields are not supported: use `T | null` for a reference, or a flag', m.questionToken);
  if (ts.isConstructorDeclaration(m)) {
    for (const p of m.parameters) {
      if (ts.getModifiers(p)?.length) err(C.PARAM_PROPERTY, 'parameter properties are not supported: declare the field and assign it in the constructor', p);
    }
  }
}

function checkImport(node: ts.ImportDeclaration, diags: DiagnosticBag): void {
  const spec = (node.moduleSpecifier as ts.StringLiteral).text;
  const clause = node.importClause;
  const err = (msg: string, at: ts.Node = node) => diags.error(C.IMPORT_FORM, msg, nodeLoc(at));
  if (!spec.startsWith('./') && !spec.startsWith('../')) err(`only relative imports of the program's own modules are supported: '${spec}'`, node.moduleSpecifier);
  if (!clause) err('side-effect imports are not supported');
  else if (clause.name) err('default imports are not supported: use `import { name } from ...`', clause.name);
  else if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) err('namespace imports are not supported: use `import { name } from ...`', clause.namedBindings);
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : []).some((m) => m.kind === kind);
}

function isNegLiteral(e: ts.Expression): boolean {
  return ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand);
}

/** A numeric literal's text is a float if it has a fraction or an exponent (hex digits may hold `e`). */
export function isFloatText(text: string): boolean {
  if (/^0[xXoObB]/.test(text)) return false;
  return /[.eE]/.test(text);
}

function isLoop(s: ts.Statement): boolean {
  return ts.isWhileStatement(s) || ts.isDoStatement(s) || ts.isForStatement(s) || ts.isForInStatement(s) ||
    ts.isForOfStatement(s) || ts.isLabeledStatement(s);
}

/** An identifier used as a value (not a property name, a declaration name or a type name). */
function isValueUse(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertyAssignment(p) || ts.isVariableDeclaration(p) ||
       ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isEnumMember(p) ||
       ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isTypeAliasDeclaration(p) || ts.isInterfaceDeclaration(p)) && p.name === id) {
    return false;
  }
  if (ts.isTypeReferenceNode(p) || ts.isQualifiedName(p) || ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

function isTableInitialiser(node: ts.ArrayLiteralExpression): boolean {
  const decl = node.parent;
  return ts.isVariableDeclaration(decl) && decl.initializer === node && ts.isVariableDeclarationList(decl.parent) &&
    ts.isVariableStatement(decl.parent.parent) && ts.isSourceFile(decl.parent.parent.parent);
}

function isNullableUnion(node: ts.UnionTypeNode): boolean {
  const nonNull = node.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
  return nonNull.length === 1 && node.types.length === 2;
}
