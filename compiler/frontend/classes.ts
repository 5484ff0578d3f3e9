// Inheritance, interfaces and virtual dispatch (see lower.ts and docs/language.md#inheritance-and-interfaces).
//
// A class that takes part in inheritance (it extends a class, is extended, implements an
// interface, or is abstract) is *polymorphic*: its objects start with a hidden pointer to its
// class's vtable (`_vptr`, offset 0), and a subclass's layout is its base's fields followed by its
// own, so a reference to the subclass is a valid reference to the base.
//
// Each method that can be reached through a base- or interface-typed reference is a *selector*:
// (the topmost class declaring it, name) for class methods, (the interface declaring it, name)
// for interface methods. Every selector of the program gets a slot number of its own, and every
// class's vtable (`C.vtable`, in .rodata) holds, at each of its selectors' slots, the address of
// the method that implements it for that class; slots it does not have are 0. A call through a
// reference dispatches (load the vptr, load the slot, call) only when it must: through an
// interface, to an abstract method, or to a method that some subclass of the static type
// overrides; every other call is direct, so the inliner sees it.

import type { Value } from '../ir/ir.js';
import { ts } from './program.js';
import { CODES as C, hasModifier } from './check.js';
import { type StructInfo, type Type, sameType, typeName, USIZE } from './types.js';
import { type FuncInfo, type Lowerer, type StructEntity, type TV, ZERO_TV, addOffset, load, loadLocal, paramKey, thisKey } from './lower.js';
import { callArgs, emitCall } from './expr.js';
import { declOf, structEntity } from './decls.js';

/** Whether a reference to `s` may be used as a reference to `to`: a base class or an implemented interface. */
export function isSubtype(s: StructInfo, to: StructInfo): boolean {
  if (s === to) return true;
  if (s.base && isSubtype(s.base, to)) return true;
  return (s.ifaces ?? []).some((i) => isSubtype(i, to));
}

/** Resolves each class's `extends` and `implements` and each interface's `extends`; marks the polymorphic classes. */
export function linkHierarchy(L: Lowerer): void {
  for (const e of L.entities.values()) {
    if (e.kind !== 'class') continue;
    for (const h of e.decl.heritageClauses ?? []) {
      for (const t of h.types) {
        const target = declOf(L, t.expression);
        const te = target && L.entities.get(target);
        if (!te || te.kind !== 'class' || te.generic || t.typeArguments?.length || e.generic) {
          L.error(C.INHERITANCE, `'${t.getText()}' cannot be ${h.token === ts.SyntaxKind.ExtendsKeyword ? 'extended' : 'implemented'}: only non-generic classes and interfaces of this program`, t);
          continue;
        }
        const isExtends = h.token === ts.SyntaxKind.ExtendsKeyword;
        if (isExtends && !e.info.isInterface && !te.info.isInterface) {
          e.info.base = te.info;
          te.info.poly = true;
          e.info.poly = true;
        } else if (!isExtends || (e.info.isInterface && te.info.isInterface)) {
          if (!te.info.isInterface) {
            L.error(C.INHERITANCE, `'${t.getText()}' is a class: a class extends a class and implements interfaces`, t);
            continue;
          }
          (e.info.ifaces ??= []).push(te.info);
          if (!e.info.isInterface) e.info.poly = true;
        } else {
          L.error(C.INHERITANCE, `a class extends a class and an interface extends interfaces: '${t.getText()}'`, t);
        }
      }
    }
    if (hasModifier(e.decl, ts.SyntaxKind.AbstractKeyword)) e.info.poly = true;
  }
  for (const e of L.entities.values()) {
    if (e.kind !== 'class') continue;
    for (let b = e.info.base; b; b = b.base) {
      if (b === e.info) {
        L.error(C.INHERITANCE, `class '${e.info.name}' extends itself`, e.decl.name ?? e.decl);
        e.info.base = undefined;
        break;
      }
    }
  }
}

/** The method `name` of a class (its own or inherited) or of an interface (its own or an extended one's). */
export function findMethod(L: Lowerer, s: StructInfo, name: string): FuncInfo | undefined {
  const own = structEntity(L, s)?.methods.get(name);
  if (own) return own;
  if (s.base) return findMethod(L, s.base, name);
  if (s.isInterface) for (const i of s.ifaces ?? []) {
    const m = findMethod(L, i, name);
    if (m) return m;
  }
  return undefined;
}

/** Every class that has `s` as a base, directly or not. */
function subclasses(L: Lowerer, s: StructInfo): StructInfo[] {
  const out: StructInfo[] = [];
  for (const info of L.structs.keys()) {
    for (let b = info.base; b; b = b.base) if (b === s) out.push(info);
  }
  return out;
}

/** A call of `m` on a reference of static type `s` must go through the vtable. */
function mustDispatch(L: Lowerer, s: StructInfo, m: FuncInfo, name: string): boolean {
  if (s.isInterface || m.abstract) return true;
  return subclasses(L, s).some((d) => structEntity(L, d)?.methods.has(name));
}

/** The slot of a selector: (the interface declaring it, or the topmost class declaring it, name). */
function slotOf(L: Lowerer, owner: StructInfo, name: string): number {
  return slotByKey(L, `${owner.symbolPrefix}#${name}`);
}

/** Slots are numbered in the order selectors are first met (recorded for the lowering cache). */
export function slotByKey(L: Lowerer, key: string): number {
  let slot = L.slots.get(key);
  if (slot === undefined) L.slots.set(key, (slot = L.slots.size));
  L.effects?.slots.push([key, slot]);
  return slot;
}

function classSelectorOwner(L: Lowerer, s: StructInfo, name: string): StructInfo {
  let owner = s;
  for (let b = s.base; b; b = b.base) if (structEntity(L, b)?.methods.has(name)) owner = b;
  return owner;
}

/** `obj.name(args)` on a class or interface reference: direct, or through the vtable. */
export function methodCall(L: Lowerer, obj: TV, s: StructInfo, name: string, node: ts.CallExpression): TV | null {
  const m = findMethod(L, s, name);
  if (!m || m.generic) return null; // generic methods: generics.ts
  return invoke(L, obj, s, name, m, () => callArgs(L, m, node.arguments, 1));
}

/** A getter (`get x`, no arguments) or setter (`set x`, the value) of `obj`, if its class has one. */
export function accessorCall(L: Lowerer, obj: TV, s: StructInfo, key: string, args: () => Value[]): TV | null {
  const m = findMethod(L, s, key);
  return m ? invoke(L, obj, s, key, m, args) : null;
}

function invoke(L: Lowerer, obj: TV, s: StructInfo, name: string, m: FuncInfo, argValues: () => Value[]): TV {
  if (!mustDispatch(L, s, m, name)) return emitCall(L, { kind: 'sym', name: m.sym, addend: 0n }, [obj.v, ...argValues()], m.ret);
  const owner = s.isInterface ? m.struct! : classSelectorOwner(L, s, name);
  const slot = slotOf(L, owner, name);
  const args = argValues();
  const vptr = load(L, obj.v, 8, false, 'l');
  const fn = load(L, addOffset(L, vptr, BigInt(8 * slot)), 8, false, 'l');
  return emitCall(L, fn, [obj.v, ...args], m.ret);
}

/** `super.name(args)`: the base class's method, called directly. */
export function superMethodCall(L: Lowerer, name: string, node: ts.CallExpression): TV {
  const s = L.fn?.struct;
  const m = s?.base && findMethod(L, s.base, name);
  if (!m || m.abstract) {
    L.error(C.UNKNOWN_FIELD, `the base class has no method '${name}' with a body`, node.expression);
    return ZERO_TV;
  }
  const self = loadLocal(L, thisKey(L.fn!.decl));
  return emitCall(L, { kind: 'sym', name: m.sym, addend: 0n }, [self.v, ...callArgs(L, m, node.arguments, 1)], m.ret);
}

/** `super(args)` in a constructor: the base constructor, then this class's field initialisers. */
export function superCall(L: Lowerer, node: ts.CallExpression, initialisers: () => void): TV {
  const s = L.fn?.struct;
  const base = s?.base && structEntity(L, s.base);
  if (!base || !L.fn?.ctorOf) {
    L.error(C.INHERITANCE, '`super(...)` is only allowed in the constructor of a class that extends another', node);
    return ZERO_TV;
  }
  const self = loadLocal(L, thisKey(L.fn.decl));
  if (base.ctor) emitCall(L, { kind: 'sym', name: base.ctor.sym, addend: 0n }, [self.v, ...callArgs(L, base.ctor, node.arguments, 1)], base.ctor.ret);
  initialisers();
  return { t: { kind: 'void' }, v: { kind: 'const', value: 0n, cls: 'w' } };
}

/** A constructor without a body of its own in a subclass: forwards its arguments to the base constructor. */
export function implicitSuper(L: Lowerer, f: FuncInfo): void {
  const base = f.struct?.base && structEntity(L, f.struct.base);
  if (!base?.ctor) return;
  const args: Value[] = f.params.map((p, i) => loadLocal(L, p.decl ?? paramKey(f.decl, i)).v);
  emitCall(L, { kind: 'sym', name: base.ctor.sym, addend: 0n }, args, base.ctor.ret);
}

/** The parameters of an implicit subclass constructor: its base constructor's. */
export function inheritedCtorParams(L: Lowerer, ent: StructEntity): { name: string; type: Type }[] {
  const base = ent.info.base && structEntity(L, ent.info.base);
  return base?.ctor ? base.ctor.params.slice(1).map((p) => ({ name: p.name, type: p.type })) : [];
}

/** Overrides and implementations must have the signature of what they override: the calls share one ABI. */
export function checkOverrides(L: Lowerer): void {
  for (const e of L.structs.values()) {
    if (e.info.isInterface || e.generic) continue;
    for (const [name, m] of e.methods) {
      const over = [e.info.base && findMethod(L, e.info.base, name), ...allInterfaces(e.info).map((i) => findMethod(L, i, name))];
      for (const o of over) if (o && !sameSignature(m, o)) {
        L.error(C.OVERRIDE, `'${e.info.name}.${name}' must have the same parameter and return types as '${o.struct!.name}.${name}' (${typeName(o.type)}), not ${typeName(m.type)}`, m.decl.name ?? m.decl);
      }
    }
    if (hasModifier(e.decl, ts.SyntaxKind.AbstractKeyword)) continue;
    for (const i of allInterfaces(e.info)) {
      for (const [name] of structEntity(L, i)?.methods ?? []) {
        const m = findMethod(L, e.info, name);
        if (!m || m.abstract) L.error(C.OVERRIDE, `class '${e.info.name}' does not implement '${i.name}.${name}'`, e.decl.name ?? e.decl);
      }
    }
  }
}

function sameSignature(a: FuncInfo, b: FuncInfo): boolean {
  if (a.type.kind !== 'func' || b.type.kind !== 'func') return true; // already reported
  return sameType(a.type, b.type);
}

/** The interfaces a class or interface implements, directly, through its bases or through extended interfaces. */
function allInterfaces(s: StructInfo): StructInfo[] {
  const out = new Set<StructInfo>();
  const add = (i: StructInfo) => {
    if (out.has(i)) return;
    out.add(i);
    (i.ifaces ?? []).forEach(add);
  };
  for (let c: StructInfo | undefined = s; c; c = c.base) (c.ifaces ?? []).forEach(add);
  return [...out];
}

/** The value stored in a new object's `_vptr`: its class's vtable. */
export function vtableSym(s: StructInfo): Value {
  return { kind: 'sym', name: `${s.symbolPrefix}.vtable`, addend: 0n };
}

/** Emits every polymorphic class's vtable: at each of its selectors' slots, its implementation. */
export function emitVtables(L: Lowerer): void {
  for (const e of L.structs.values()) {
    const s = e.info;
    if (!s.poly || s.isInterface || e.generic) continue;
    const entries = new Map<number, string>();
    const chain: StructInfo[] = [];
    for (let c: StructInfo | undefined = s; c; c = c.base) chain.push(c);
    for (const c of chain) {
      for (const [name] of structEntity(L, c)?.methods ?? []) {
        const m = findMethod(L, s, name);
        if (m && !m.abstract && !m.generic) entries.set(slotOf(L, classSelectorOwner(L, s, name), name), m.sym);
      }
    }
    for (const i of allInterfaces(s)) {
      for (const [name, im] of structEntity(L, i)?.methods ?? []) {
        const m = findMethod(L, s, name);
        if (m && !m.abstract) entries.set(slotOf(L, im.struct!, name), m.sym);
      }
    }
    const size = 8 * Math.max(1, ...[...entries.keys()].map((k) => k + 1));
    L.module.globals.push({
      name: `${s.symbolPrefix}.vtable`, exported: false, section: 'rodata', align: 8, size, bytes: new Uint8Array(size),
      relocs: [...entries].map(([slot, sym]) => ({ offset: 8 * slot, width: 8 as const, sym, addend: 0n })),
    });
  }
}

/** The hidden first field of a polymorphic root class. */
export const VPTR_FIELD = { name: '_vptr', type: USIZE };
