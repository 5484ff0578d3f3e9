// Lowering of conversions and intrinsics (see lower.ts): the implicit conversions the language allows
// (integer widening, null to references), explicit ones (u8(x) ...), and the prelude's intrinsics:
// port I/O, control registers, memory access, atomics, sizeof, addr_of, syscall.

import { newSlice } from './slices.js';
import { isSubtype } from './classes.js';
import type { Value, Width } from '../ir/ir.js';
import { ts } from './program.js';
import { CODES as C } from './check.js';
import { type Type, type IntType, INT_TYPES, I64, U8, U64, USIZE, BOOL, VOID, NEVER, ERROR, clsOf, sizeOf, alignOf, memAccess, typeName, sameType, intWidens, isInt, isAggregate } from './types.js';
import { type Lowerer, type TV, ZERO_TV, addOffset, binop, ext, isLiteralish, isRefLike, load, skipParens } from './lower.js';
import { W, konst } from '../ir/builder.js';
import { allocHook, argValues, emitCall, expr, fmtArg } from './expr.js';
import { declOf, resolveType, stringSym } from './decls.js';
import { truth } from './stmt.js';

// ---- conversions ----

/** Lowers an expression for a place of type `to` (variable, parameter, field, return). */
export function exprAs(L: Lowerer, node: ts.Expression, to: Type): Value {
  if (to.kind === 'fmt') return fmtArg(L, node);
  const tv = expr(L, node, to);
  return coerce(L, tv, to, node);
}

/** Implicit conversion: only widening of integers and null to references. */
export function coerce(L: Lowerer, tv: TV, to: Type, node: ts.Node): Value {
  const from = tv.t;
  if (from.kind === 'error' || to.kind === 'error') return konst(0n, clsOf(to));
  if (isInt(from) && isInt(to)) {
    if (intWidens(from, to)) return convert(L, tv, to);
    if (to.size < from.size) L.error(C.NARROWING, `implicit narrowing from ${from.name} to ${to.name}: convert explicitly with ${to.name}(x)`, node);
    else L.error(C.MIXED_SIGNEDNESS, `implicit conversion from ${from.name} to ${to.name} changes signedness: convert explicitly with ${to.name}(x)`, node);
    return konst(0n, clsOf(to));
  }
  if (from.kind === 'null' && isRefLike(to)) return konst(0n, 'l');
  if (from.kind === 'never') return konst(0n, clsOf(to));
  if (to.kind === 'table' && from.kind === 'table' && sameType(from.elem, to.elem)) return tv.v;
  if (sameType(from, to)) return tv.v;
  if (from.kind === 'ref' && to.kind === 'ref' && isSubtype(from.struct, to.struct)) return tv.v; // a subclass's object starts with its base's fields
  if (from.kind === 'void') L.error(C.VOID_VALUE, 'a void call has no value', node);
  else L.error(C.TYPE_MISMATCH, `type ${typeName(from)} is not assignable to ${typeName(to)}${isInt(to) && from.kind === 'bool' ? `: convert with ${to.name}(b)` : ''}`, node);
  return konst(0n, clsOf(to));
}

/** Conversion between integer types (and bool): truncate, then sign- or zero-extend. */
export function convert(L: Lowerer, tv: TV, to: Type): Value {
  const from = tv.t.kind === 'bool' ? U8 : tv.t;
  if (!isInt(from) || !isInt(to)) return tv.v;
  let v = tv.v;
  const fc = clsOf(from), tc = clsOf(to);
  if (fc === 'l' && tc === 'w') v = ext(L, v, 4, false, 'w');
  else if (fc === 'w' && tc === 'l') v = ext(L, v, 4, from.signed, 'l');
  if (to.size < 4 && !intWidens(from, to)) v = ext(L, v, to.size as Width, to.signed, 'w');
  return v;
}

/** After arithmetic at 32 bits, a narrow result wraps to its width. */
export function wrap(L: Lowerer, v: Value, t: IntType): Value {
  return t.size < 4 ? ext(L, v, t.size as Width, t.signed, 'w') : v;
}

// ---- intrinsics ----

export function intrinsic(L: Lowerer, name: string, node: ts.CallExpression): TV {
  const args = node.arguments;
  const conv: Type | undefined = name === 'bool' ? BOOL : INT_TYPES[name];
  if (conv) {
    const tv = args.length ? expr(L, args[0], isLiteralish(args[0]) ? conv : undefined) : ZERO_TV;
    if (tv.t.kind === 'error') return { t: conv, v: konst(0n, clsOf(conv)) };
    if (!isInt(tv.t) && tv.t.kind !== 'bool') {
      L.error(C.TYPE_MISMATCH, `${name}() converts integers and bools, not ${typeName(tv.t)}: use changetype<${name}>(x) for an address`, args[0]);
      return { t: conv, v: konst(0n, clsOf(conv)) };
    }
    if (conv.kind === 'bool') return { t: BOOL, v: truth(L, tv, args[0]) };
    return { t: conv, v: convert(L, tv, conv) };
  }
  const simple = SIMPLE_INTRINSICS[name];
  if (simple) {
    const [params, ret] = simple;
    const vals = argValues(L, params, args);
    const width = PORT_WIDTH[name];
    if (ret.kind !== 'void') return intrinValue(L, name, vals, ret, width);
    L.b.emit({ op: 'intrin', name, args: vals, ...(width ? { width } : {}) });
    return { t: VOID, v: W(0n) };
  }
  switch (name) {
    case 'sizeof':
    case 'alignof': {
      const t = typeArg(L, node, name);
      if (!t) return { t: USIZE, v: konst(0n, 'l') };
      const st = t.kind === 'ref' ? { kind: 'inline' as const, struct: t.struct } : t;
      return { t: USIZE, v: konst(BigInt(name === 'sizeof' ? sizeOf(st) : alignOf(st)), 'l') };
    }
    case 'offsetof': {
      const t = typeArg(L, node, name);
      if (!t) return { t: USIZE, v: konst(0n, 'l') };
      const a = args[0];
      if (t.kind !== 'ref' || !a || !ts.isStringLiteral(a)) {
        L.error(C.OFFSETOF, 'offsetof<T>("field") needs a class type and a field name literal', node);
        return { t: USIZE, v: konst(0n, 'l') };
      }
      const f = t.struct.fieldMap.get(a.text);
      if (!f) {
        L.error(C.OFFSETOF, `'${t.struct.name}' has no field '${a.text}'`, a);
        return { t: USIZE, v: konst(0n, 'l') };
      }
      return { t: USIZE, v: konst(BigInt(f.offset), 'l') };
    }
    case 'changetype': {
      const t = typeArg(L, node, name);
      const tv = args.length ? expr(L, args[0]) : ZERO_TV;
      if (!t || tv.t.kind === 'error') return { t: t ?? ERROR, v: konst(0n, t ? clsOf(t) : 'l') };
      const addrLike = (x: Type) => x.kind === 'ref' || x.kind === 'array' || x.kind === 'table' || x.kind === 'string' || x.kind === 'func' || x.kind === 'null' ||
        (isInt(x) && x.size === 8);
      if (!addrLike(t) || !addrLike(tv.t)) {
        L.error(C.CHANGETYPE, `changetype converts between addresses (usize, u64, references), not ${typeName(tv.t)} to ${typeName(t)}`, node);
        return { t, v: konst(0n, clsOf(t)) };
      }
      return { t, v: tv.v };
    }
    case 'addressof': {
      const tv = args.length ? expr(L, args[0]) : ZERO_TV;
      if (tv.t.kind !== 'func') {
        if (tv.t.kind !== 'error') L.error(C.ADDRESS_OF, 'addressof() takes a function name', args[0] ?? node);
        return { t: USIZE, v: konst(0n, 'l') };
      }
      return { t: USIZE, v: tv.v };
    }
    case 'addr_of':
      return addrOf(L, node);
    case 'slice': {
      const t = typeArg(L, node, name);
      const ptr = args[0] ? exprAs(L, args[0], USIZE) : konst(0n, 'l');
      const len = args[1] ? exprAs(L, args[1], USIZE) : konst(0n, 'l');
      if (!t) return ZERO_TV;
      if (t.kind === 'void' || t.kind === 'fmt' || isAggregate(t)) {
        L.error(C.TYPE_ARGUMENT, `a Slice of ${typeName(t)} is not supported`, node);
        return ZERO_TV;
      }
      return { t: { kind: 'slice', elem: t }, v: newSlice(L, ptr, len) };
    }
    case 'as_slice': {
      const a = args[0] ? expr(L, args[0]) : ZERO_TV;
      if (a.t.kind === 'error') return ZERO_TV;
      if (a.t.kind !== 'array' && a.t.kind !== 'table') {
        L.error(C.TYPE_ARGUMENT, `as_slice() takes an InlineArray or a constant table, not ${typeName(a.t)}`, args[0] ?? node);
        return ZERO_TV;
      }
      return { t: { kind: 'slice', elem: a.t.elem }, v: newSlice(L, a.v, konst(BigInt(a.t.length), 'l')) };
    }
    case 'load':
    case 'volatile_load':
    case 'atomic_load': {
      const t = memTypeArg(L, node, name);
      const addr = addrArgs(L, args[0], args[1], name !== 'atomic_load');
      if (!t) return ZERO_TV;
      const { width, signed } = memAccess(t);
      if (name === 'atomic_load') return intrinValue(L, 'atomic_load', [addr], t, width);
      const dst = L.b.vreg();
      L.b.emit({ op: 'load', cls: clsOf(t), dst, addr, width, signed, ...(name === 'volatile_load' ? { volatile: true } : {}) });
      return { t, v: { kind: 'vreg', id: dst, cls: clsOf(t) } };
    }
    case 'store':
    case 'volatile_store':
    case 'atomic_store': {
      const t = memTypeArg(L, node, name);
      const addr = addrArgs(L, args[0], args[2], name !== 'atomic_store');
      const v = args[1] && t ? exprAs(L, args[1], t) : W(0n);
      if (!t) return { t: VOID, v: W(0n) };
      const { width } = memAccess(t);
      if (name === 'atomic_store') L.b.emit({ op: 'intrin', name, args: [addr, v], width });
      else L.b.emit({ op: 'store', addr, value: v, width, ...(name === 'volatile_store' ? { volatile: true } : {}) });
      return { t: VOID, v: W(0n) };
    }
    case 'atomic_xchg':
    case 'atomic_fetch_add':
    case 'atomic_cmpxchg': {
      const t = memTypeArg(L, node, name);
      const addr = args[0] ? exprAs(L, args[0], USIZE) : konst(0n, 'l');
      const vals = t ? args.slice(1).map((a) => exprAs(L, a, t)) : [];
      if (!t) return ZERO_TV;
      return intrinValue(L, name, [addr, ...vals], t, memAccess(t).width);
    }
    case 'destroy': {
      const tv = args.length ? expr(L, args[0]) : ZERO_TV;
      if (tv.t.kind !== 'ref') {
        if (tv.t.kind !== 'error') L.error(C.TYPE_MISMATCH, `destroy() takes a class reference, not ${typeName(tv.t)}`, args[0] ?? node);
        return { t: VOID, v: W(0n) };
      }
      const free = allocHook(L, '__free', node);
      return emitCall(L, { kind: 'sym', name: free, addend: 0n }, [tv.v], VOID);
    }
    case 'unreachable':
      L.b.term({ op: 'unreachable' });
      return { t: NEVER, v: W(0n) };
    case 'hex':
      L.error(C.HEX_OUTSIDE_FMT, 'hex() can only be used as a hole of a template literal passed to a fmt parameter', node);
      return ZERO_TV;
    case 'fmt_count':
    case 'fmt_kind':
    case 'fmt_value': {
      const f = args[0] ? expr(L, args[0]) : ZERO_TV;
      if (f.t.kind !== 'fmt') {
        if (f.t.kind !== 'error') L.error(C.FMT_USE, `${name}() takes a fmt parameter`, args[0] ?? node);
        return ZERO_TV;
      }
      if (name === 'fmt_count') return { t: USIZE, v: load(L, f.v, 8, false, 'l') };
      const i = args[1] ? exprAs(L, args[1], USIZE) : konst(0n, 'l');
      const at = binop(L, 'add', 'l', f.v, binop(L, 'mul', 'l', i, konst(16n, 'l')));
      if (name === 'fmt_kind') return { t: INT_TYPES.u32, v: load(L, addOffset(L, at, 8n), 4, false, 'w') };
      return { t: U64, v: load(L, addOffset(L, at, 16n), 8, false, 'l') };
    }
    case 'syscall': {
      const vals = args.map((a) => exprAs(L, a, U64));
      return intrinValue(L, 'syscall', vals, I64);
    }
  }
  L.error(C.UNKNOWN_NAME, `'${name}' is declared in the prelude but not known to the compiler`, node.expression);
  return ZERO_TV;
}

function intrinValue(L: Lowerer, name: string, args: Value[], t: Type, width?: Width): TV {
  const cls = clsOf(t);
  const dst = L.b.vreg();
  L.b.emit({ op: 'intrin', name, args, dst, cls, ...(width ? { width } : {}) });
  return { t, v: { kind: 'vreg', id: dst, cls } };
}

function typeArg(L: Lowerer, node: ts.CallExpression, name: string): Type | null {
  const ta = node.typeArguments?.[0];
  if (!ta) {
    L.error(C.TYPE_ARGUMENT, `${name} needs an explicit type argument: ${name}<T>(...)`, node);
    return null;
  }
  const t = resolveType(L, ta);
  return t.kind === 'error' ? null : t;
}

/** The T of load<T>/store<T>/atomics: an integer, bool or reference type. */
function memTypeArg(L: Lowerer, node: ts.CallExpression, name: string): Type | null {
  const t = typeArg(L, node, name);
  if (!t) return null;
  const ok = name.startsWith('atomic') ? isInt(t) : isInt(t) || t.kind === 'bool' || t.kind === 'ref' || t.kind === 'func' || t.kind === 'string';
  if (!ok) {
    L.error(C.TYPE_ARGUMENT, `${name}<${typeName(t)}> is not supported: use ${name.startsWith('atomic') ? 'an integer type' : 'an integer, bool or reference type'}`, node.typeArguments![0]);
    return null;
  }
  return t;
}

function addrArgs(L: Lowerer, addr: ts.Expression | undefined, offset: ts.Expression | undefined, allowOffset: boolean): Value {
  let a = addr ? exprAs(L, addr, USIZE) : konst(0n, 'l');
  if (offset && allowOffset) a = binop(L, 'add', 'l', a, exprAs(L, offset, USIZE));
  return a;
}

function addrOf(L: Lowerer, node: ts.CallExpression): TV {
  const a = node.arguments[0] ? skipParens(node.arguments[0]) : undefined;
  if (a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a))) {
    return { t: USIZE, v: { kind: 'sym', name: stringSym(L, a.text), addend: 8n } };
  }
  if (a && ts.isIdentifier(a)) {
    const decl = declOf(L, a);
    const e = decl && L.entities.get(decl);
    if (e?.kind === 'global') return { t: USIZE, v: { kind: 'sym', name: e.sym, addend: 0n } };
    if (e?.kind === 'func' && !e.struct) return { t: USIZE, v: { kind: 'sym', name: e.sym, addend: 0n } };
    if (!decl) return { t: USIZE, v: konst(0n, 'l') };
  }
  L.error(C.ADDRESS_OF, 'addr_of() takes the name of a module-level variable, an extern or a string literal', a ?? node);
  return { t: USIZE, v: konst(0n, 'l') };
}

// ---- helpers ----

/** Port I/O moves a fixed width whatever the value's register class. */
const PORT_WIDTH: Record<string, Width> = { inb: 1, outb: 1, inw: 2, outw: 2, inl: 4, outl: 4 };

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
  read_rflags: [[], u.u64], write_rflags: [[u.u64], VOID], read_gs_u64: [[u.usize], u.u64],
  rdtsc: [[], u.u64], cpuid: [[u.u32, u.u32, u.usize], VOID], frame_address: [[], u.usize],
  memcpy: [[u.usize, u.usize, u.usize], VOID], memset: [[u.usize, u.u8, u.usize], VOID], memcmp: [[u.usize, u.usize, u.usize], u.i32],
};
