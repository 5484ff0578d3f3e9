// Slice<T> (see lower.ts, docs/language.md#slices): `length` elements of T at `ptr`. Its value is
// the address of a 16-byte descriptor { ptr: usize, length: usize } that is never changed after it
// is written: `slice<T>(p, n)` writes a new one in the current frame; a named slice (a local, a
// parameter) has a descriptor of its own, and binding or assigning one copies the 16 bytes. So a
// slice never outlives its frame's storage: it cannot be a field, a module variable or a result.

import type { Value } from '../ir/ir.js';
import { type Lowerer, addOffset, load } from './lower.js';

/** A new descriptor in the current frame. */
export function newSlice(L: Lowerer, ptr: Value, length: Value): Value {
  const d = L.b.alloca(16, 8);
  L.b.emit({ op: 'store', addr: d, value: ptr, width: 8 });
  L.b.emit({ op: 'store', addr: addOffset(L, d, 8n), value: length, width: 8 });
  return d;
}

/** Copies a descriptor into a named slice's own storage. */
export function copySlice(L: Lowerer, dst: Value, src: Value): void {
  L.b.emit({ op: 'store', addr: dst, value: slicePtr(L, src), width: 8 });
  L.b.emit({ op: 'store', addr: addOffset(L, dst, 8n), value: sliceLength(L, src), width: 8 });
}

export function slicePtr(L: Lowerer, s: Value): Value {
  return load(L, s, 8, false, 'l');
}

export function sliceLength(L: Lowerer, s: Value): Value {
  return load(L, addOffset(L, s, 8n), 8, false, 'l');
}
