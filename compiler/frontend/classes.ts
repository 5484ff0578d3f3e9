// Classes with inheritance (see lower.ts).

import type { StructInfo } from './types.js';

/** Whether a reference to `s` may be used as a reference to `to`: the same class, or a subclass. */
export function isSubtype(s: StructInfo, to: StructInfo): boolean {
  return s === to;
}
