// Arrow functions and function expressions (see lower.ts). One that captures nothing is a plain
// function with a name of its own (`outer.lambda.N`): its value is that function's address, so it
// goes wherever a function type is expected (thread entries, callbacks, comparison functions). A
// closure would need an environment on the heap or the stack that outlives the call: a use of a
// local variable, parameter or `this` of an enclosing function is refused, naming the variable.
//
// Parameter and return types come from the annotations or, when they are left out, from the
// function type the value is converted to (`sort(xs, (a, b) => a - b)` with a parameter of type
// `(a: i32, b: i32) => i32`).

import { ts } from './program.js';
import { CODES as C } from './check.js';
import { type Type, ERROR, VOID, isAggregate, typeName } from './types.js';
import { type FuncInfo, type Lowerer, type TV, ZERO_TV } from './lower.js';
import { declOf, resolveType, returnsValue } from './decls.js';

type Lambda = ts.ArrowFunction | ts.FunctionExpression;

const made = new WeakMap<Lambda, Map<unknown, FuncInfo>>();

export function lambda(L: Lowerer, node: Lambda, want: Type | undefined): TV {
  if (!checkCaptures(L, node)) return ZERO_TV;
  const ctx = want?.kind === 'func' ? want : undefined;
  // One function per lambda and per generic instance it is lowered in.
  let byEnv = made.get(node);
  if (!byEnv) made.set(node, (byEnv = new Map()));
  const known = byEnv.get(L.typeEnv);
  if (known) return { t: known.type, v: { kind: 'sym', name: known.sym, addend: 0n } };
  const params: FuncInfo['params'] = [];
  let ok = true;
  node.parameters.forEach((p, i) => {
    const name = ts.isIdentifier(p.name) ? p.name.text : 'arg';
    let t: Type = p.type ? resolveType(L, p.type) : ctx && i < ctx.params.length ? ctx.params[i] : ERROR;
    if (!p.type && !(ctx && i < ctx.params.length)) {
      L.error(C.PARAM_TYPE, `parameter '${name}' needs a type annotation (or the lambda a function-typed context)`, p);
      ok = false;
    }
    if (isAggregate(t) || t.kind === 'void') {
      L.error(C.PARAM_TYPE, `a parameter cannot have type ${typeName(t)}: pass a reference`, p);
      t = ERROR;
    }
    params.push({ name, type: t, decl: p });
  });
  if (!ok) return ZERO_TV;
  let ret: Type;
  if (node.type) ret = resolveType(L, node.type);
  else if (ctx) ret = ctx.ret;
  else if (ts.isBlock(node.body) && !returnsValue(node.body)) ret = VOID;
  else {
    L.error(C.RETURN_TYPE, 'a lambda that returns a value needs a return type annotation (or a function-typed context)', node);
    return ZERO_TV;
  }
  const outer = L.fn?.sym ?? 'module';
  const sym = `${outer}.lambda.${L.lambdaCount++}`;
  const f: FuncInfo = {
    kind: 'func', sym, decl: node, params, ret, type: { kind: 'func', params: params.map((p) => p.type), ret },
    exported: false, extern: false, typeEnv: L.typeEnv, depth: L.fn?.depth,
  };
  byEnv.set(L.typeEnv, f);
  L.funcSyms.add(sym);
  L.pending.push(f);
  return { t: f.type, v: { kind: 'sym', name: sym, addend: 0n } };
}

/** Refuses a lambda that uses a local, a parameter or `this` of an enclosing function. */
function checkCaptures(L: Lowerer, node: Lambda): boolean {
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (n.kind === ts.SyntaxKind.ThisKeyword && ts.isArrowFunction(node) && enclosingFunction(n) === node) {
      L.error(C.NESTED_FUNCTION, "the arrow function captures 'this': closures are not supported; pass the object as a parameter", n);
      ok = false;
    }
    if (ts.isIdentifier(n) && !isNameOnly(n)) {
      const d = declOf(L, n);
      if (d && (ts.isVariableDeclaration(d) || ts.isParameter(d))) {
        const owner = enclosingFunction(d);
        if (owner && !isInside(owner, node)) {
          L.error(C.NESTED_FUNCTION, `the ${ts.isArrowFunction(node) ? 'arrow function' : 'function expression'} captures '${n.text}', a ${ts.isParameter(d) ? 'parameter' : 'local variable'} of the enclosing function: closures are not supported; pass it as a parameter or use a module variable`, n);
          ok = false;
        }
      }
    }
    n.forEachChild(visit);
  };
  visit(node.body);
  return ok;
}

/** The innermost function-like node around a node (for `this`: arrows do not count in their own). */
function enclosingFunction(n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isFunctionLike(p) && !ts.isFunctionTypeNode(p) && !ts.isMethodSignature(p)) return p;
  }
  return undefined;
}

/** Whether `inner` is `outer` or nested inside it. */
function isInside(inner: ts.Node, outer: ts.Node): boolean {
  for (let p: ts.Node | undefined = inner; p; p = p.parent) if (p === outer) return true;
  return false;
}

/** A property name after `.`, a declaration's own name: not a use of a variable. */
function isNameOnly(id: ts.Identifier): boolean {
  const p = id.parent;
  return (ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isParameter(p) && p.name === id) ||
    (ts.isVariableDeclaration(p) && p.name === id) || ts.isTypeReferenceNode(p) || ts.isQualifiedName(p) || ts.isPropertyAssignment(p);
}
