// The compiler's types as debug information describes them (linker/object.ts DebugType): the
// front end records one per user variable, the DWARF writer turns them into type entries.
//
// A class reference is a pointer to its struct; a struct that refers to itself (a list node's
// `next`) makes the description cyclic, so each struct maps to one shared object, kept by the
// Lowerer (by declaring file and symbol prefix: the lowering cache keeps them across builds).

import type { DebugType } from '../../linker/object.js';
import type { ts } from './program.js';
import { sizeOf, type StructInfo, type Type } from './types.js';

const CHAR: DebugType = { kind: 'base', name: 'char', size: 1, encoding: 'char' };
const BOOL: DebugType = { kind: 'base', name: 'bool', size: 1, encoding: 'boolean' };

/** Where the struct descriptions are kept, and where each struct is declared. */
interface Memo {
  debugStructs: Map<string, DebugType>;
  structs: Map<StructInfo, { decl: ts.Node }>;
}

/** The debug description of a type; undefined for types with no useful one (void, fmt, errors). */
export function debugType(L: Memo, t: Type): DebugType | undefined {
  switch (t.kind) {
    case 'int':
      return { kind: 'base', name: t.name, size: t.size, encoding: t.signed ? 'signed' : 'unsigned' };
    case 'bool':
      return BOOL;
    case 'string':
      return { kind: 'pointer', to: CHAR }; // its bytes end in a NUL: gdb prints it as a C string
    case 'ref':
      return { kind: 'pointer', to: structType(L, t.struct) };
    case 'inline':
      return structType(L, t.struct);
    case 'array': {
      const of = debugType(L, t.elem);
      return of && { kind: 'array', of, count: t.length };
    }
    case 'table':
      return { kind: 'pointer', to: debugType(L, t.elem) };
    case 'func':
      return { kind: 'pointer', to: undefined };
    default:
      return undefined;
  }
}

function structType(L: Memo, s: StructInfo): DebugType {
  const key = `${L.structs.get(s)?.decl.getSourceFile().fileName}\0${s.symbolPrefix}`;
  const known = L.debugStructs.get(key);
  if (known) return known;
  const members: { name: string; offset: number; type: DebugType }[] = [];
  const d: DebugType = { kind: 'struct', name: s.name, size: s.size, members };
  L.debugStructs.set(key, d); // before the fields: they may refer back to it
  for (const f of s.fields) {
    const type = debugType(L, f.type) ?? { kind: 'array', of: CHAR, count: sizeOf(f.type) };
    members.push({ name: f.name, offset: f.offset, type });
  }
  return d;
}

/** Records the debug type of a user variable's vreg, when it has one. */
export function setDebugType(L: Memo & { types: Map<number, DebugType> }, vreg: number, t: Type): void {
  const d = debugType(L, t);
  if (d) L.types.set(vreg, d);
}
