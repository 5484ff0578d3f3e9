// Devirtualization: a call through a vtable whose object is known at compile time becomes a direct
// call, which the inliner can then copy in.
//
// The case it is for is the kernel's static driver objects (docs/language.md, "Inheritance and
// interfaces"): `console_device().putc(c)` is, once the accessor is inlined, a load of the static
// object's vtable pointer, a load of a slot of that vtable and an indirect call. Two loads are
// folded to what they read: the vtable pointer of a static object (Global.fixedVptr: the word no
// code writes) is its class's vtable, and an 8-byte load of a relocated word of a .rodata global
// (a vtable slot, an entry of a constant table of functions or strings) is the symbol the word
// holds. The optimizer's copy propagation then makes the call direct.

import type { Func, Global, Value } from '../ir/ir.js';

/** What an 8-byte load from `addr` reads when it is fixed at link time, if it is. */
function fixedWord(globals: Map<string, Global>, addr: Value): Extract<Value, { kind: 'sym' }> | undefined {
  if (addr.kind !== 'sym') return undefined;
  const g = globals.get(addr.name);
  if (!g || !(g.section === 'rodata' || (g.fixedVptr && addr.addend === 0n))) return undefined;
  const r = g.relocs.find((x) => BigInt(x.offset) === addr.addend && x.width === 8);
  return r && { kind: 'sym', name: r.sym, addend: r.addend };
}

/**
 * Replaces the loads of fixed words in `f` by their symbols (`globals`: the module's, by name),
 * adding the symbols to `found`; returns whether any load was replaced.
 */
export function foldFixedLoads(globals: Map<string, Global>, f: Func, found: Set<string>): boolean {
  let changed = false;
  for (const b of f.blocks) {
    b.insts = b.insts.map((i) => {
      if (i.op !== 'load' || i.width !== 8 || i.volatile) return i;
      const v = fixedWord(globals, i.addr);
      if (!v) return i;
      changed = true;
      found.add(v.name);
      return { op: 'copy', cls: 'l', dst: i.dst, a: v, loc: i.loc };
    });
  }
  return changed;
}
