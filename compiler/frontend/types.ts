// The compiler's own types. TypeScript sees every integer type as `number`; the compiler gives each
// its real width and signedness, lays out structs like a System V C compiler, and knows which
// values are addresses (struct references, strings, fmt descriptors, function pointers).
//
// Representation in IR registers: integers of 4 bytes or fewer and bool live in class `w`, always
// kept extended (sign- or zero-, by the type's signedness) to 32 bits; 8-byte integers and every
// address live in class `l`.

import type { Cls, Width } from '../ir/ir.js';

export interface IntType {
  kind: 'int';
  name: string; // i8 ... usize, for messages
  size: 1 | 2 | 4 | 8;
  signed: boolean;
}

export interface Field {
  name: string;
  type: Type;
  offset: number;
}

export interface StructInfo {
  name: string;
  symbolPrefix: string; // methods are named `<prefix>.<method>`
  fields: Field[];
  fieldMap: Map<string, Field>;
  size: number;
  align: number;
  laidOut: boolean; // false while its fields are being computed (detects by-value cycles)
  /** An instance of a generic class: its declaration and type arguments (for inference). */
  generic?: { decl: object; args: Type[] };
  /** Inheritance (classes.ts): the base class, the interfaces implemented (or extended, for an interface). */
  base?: StructInfo;
  ifaces?: StructInfo[];
  /** Objects carry a vtable pointer at offset 0 (the class takes part in inheritance). */
  poly?: boolean;
  isInterface?: boolean;
}

export type Type =
  | IntType
  | { kind: 'bool' }
  | { kind: 'void' }
  | { kind: 'never' }
  | { kind: 'null' } // the type of the `null` literal, before it meets a reference type
  | { kind: 'string' }
  | { kind: 'fmt' }
  /** A reference to a struct (an address, may be null). */
  | { kind: 'ref'; struct: StructInfo }
  /** A struct embedded by value: only as a field, array element or module variable type. */
  | { kind: 'inline'; struct: StructInfo }
  /** An InlineArray<T, N>: stored inline; its value is the address of element 0. */
  | { kind: 'array'; elem: Type; length: number }
  /** A read-only table in .rodata (`const T: u32[] = [...]`); its value is its address. */
  | { kind: 'table'; elem: Type; length: number }
  | { kind: 'func'; params: Type[]; ret: Type }
  /** A Slice<T>: its value is the address of a 16-byte descriptor (ptr, length) that no one changes. */
  | { kind: 'slice'; elem: Type }
  /** The type of an expression already reported as wrong: silences follow-on errors. */
  | { kind: 'error' };

const int = (name: string, size: 1 | 2 | 4 | 8, signed: boolean): IntType => ({ kind: 'int', name, size, signed });

export const INT_TYPES: Record<string, IntType> = {
  i8: int('i8', 1, true),
  i16: int('i16', 2, true),
  i32: int('i32', 4, true),
  i64: int('i64', 8, true),
  u8: int('u8', 1, false),
  u16: int('u16', 2, false),
  u32: int('u32', 4, false),
  u64: int('u64', 8, false),
  isize: int('isize', 8, true),
  usize: int('usize', 8, false),
};

export const I32 = INT_TYPES.i32;
export const I64 = INT_TYPES.i64;
export const U8 = INT_TYPES.u8;
export const U64 = INT_TYPES.u64;
export const USIZE = INT_TYPES.usize;
export const BOOL: Type = { kind: 'bool' };
export const VOID: Type = { kind: 'void' };
export const NEVER: Type = { kind: 'never' };
export const NULL: Type = { kind: 'null' };
export const STRING: Type = { kind: 'string' };
export const FMT: Type = { kind: 'fmt' };
export const ERROR: Type = { kind: 'error' };

export function isInt(t: Type): t is IntType {
  return t.kind === 'int';
}

/** The register class of a value of this type (void and never have none; `w` is returned). */
export function clsOf(t: Type): Cls {
  if (t.kind === 'int') return t.size === 8 ? 'l' : 'w';
  if (t.kind === 'bool' || t.kind === 'void' || t.kind === 'never') return 'w';
  return 'l';
}

/** Size in bytes of a value of this type stored in memory (a field, an array element, a global). */
export function sizeOf(t: Type): number {
  if (t.kind === 'inline') return t.struct.size;
  if (t.kind === 'array' || t.kind === 'table') return sizeOf(t.elem) * t.length;
  if (t.kind === 'void' || t.kind === 'never') return 0;
  return memAccess(t).width;
}

/** Scalars align to their size, structs to their widest field, arrays to their element. */
export function alignOf(t: Type): number {
  if (t.kind === 'inline') return t.struct.align;
  if (t.kind === 'array' || t.kind === 'table') return alignOf(t.elem);
  if (t.kind === 'void' || t.kind === 'never') return 1;
  return memAccess(t).width;
}

/** Types stored by value (the name of such a variable or field gives its address). */
export function isAggregate(t: Type): boolean {
  return t.kind === 'inline' || t.kind === 'array' || t.kind === 'table';
}

/** How a scalar of this type is loaded and stored: width in bytes and signedness. */
export function memAccess(t: Type): { width: Width; signed: boolean } {
  if (t.kind === 'int') return { width: t.size, signed: t.signed };
  if (t.kind === 'bool') return { width: 1, signed: false };
  return { width: 8, signed: false };
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** System V layout: each field at its natural alignment, size rounded up to the struct's alignment. */
export function layoutStruct(s: StructInfo, fields: { name: string; type: Type }[]): void {
  let offset = 0;
  let align = 1;
  for (const f of fields) {
    const a = alignOf(f.type);
    offset = alignUp(offset, a);
    const field = { name: f.name, type: f.type, offset };
    s.fields.push(field);
    s.fieldMap.set(f.name, field);
    offset += sizeOf(f.type);
    align = Math.max(align, a);
  }
  s.align = align;
  s.size = alignUp(offset, align);
  s.laidOut = true;
}

export function typeName(t: Type): string {
  switch (t.kind) {
    case 'int':
      return t.name;
    case 'ref':
      return t.struct.name;
    case 'inline':
      return `Inline<${t.struct.name}>`;
    case 'array':
      return `InlineArray<${typeName(t.elem)}, ${t.length}>`;
    case 'table':
      return `${typeName(t.elem)}[]`;
    case 'func':
      return `(${t.params.map(typeName).join(', ')}) => ${typeName(t.ret)}`;
    case 'slice':
      return `Slice<${typeName(t.elem)}>`;
    default:
      return t.kind;
  }
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'int':
      return a.size === (b as IntType).size && a.signed === (b as IntType).signed;
    case 'ref':
    case 'inline':
      return a.struct === (b as typeof a).struct;
    case 'array':
    case 'table': {
      const o = b as typeof a;
      return a.length === o.length && sameType(a.elem, o.elem);
    }
    case 'slice':
      return sameType(a.elem, (b as typeof a).elem);
    case 'func': {
      const o = b as typeof a;
      return a.params.length === o.params.length && a.params.every((p, i) => sameType(p, o.params[i])) && sameType(a.ret, o.ret);
    }
    default:
      return true;
  }
}

/** Implicit widening: same signedness and not narrower, or unsigned into a strictly wider signed. */
export function intWidens(from: IntType, to: IntType): boolean {
  if (from.signed === to.signed) return to.size >= from.size;
  return !from.signed && to.signed && to.size > from.size;
}

/** The common type of two integer operands, or null when they mix signedness without widening. */
export function unifyInts(a: IntType, b: IntType): IntType | null {
  if (intWidens(a, b)) return b;
  if (intWidens(b, a)) return a;
  return null;
}

/** Range of an integer type, inclusive. */
export function intRange(t: IntType): [bigint, bigint] {
  const bits = BigInt(t.size * 8);
  return t.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

