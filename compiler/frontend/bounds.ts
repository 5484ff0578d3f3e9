// Bounds checks on InlineArray and constant-table indexing (see lower.ts, docs/language.md#bounds-checks).
//
// A constant index is checked at compile time (TSK2026). Any other index is compared, as an
// unsigned 64-bit value (so a negative signed index is out of range too), with the array's
// length; out of range, the program's exported `__bounds_fail(file, line, index, length)` is
// called (the kernel's panics naming the source line), or, in a program without one, `ud2`
// stops it (SIGILL under Linux: a non-zero exit). The optimizer removes the checks it can prove
// (constant indices after folding; the dominating-comparison rule in passes/bounds.ts), and the
// build flag SCARLETT_BOUNDS_CHECKS=off leaves all of them out.

import { relative } from 'node:path';
import type { Value } from '../ir/ir.js';
import { ts, nodeLoc } from './program.js';
import { CODES as C } from './check.js';
import { NEVER } from './types.js';
import { type Lowerer, cmp } from './lower.js';
import { W, konst } from '../ir/builder.js';
import { emitCall } from './expr.js';
import { stringSym } from './decls.js';

export const BOUNDS_HOOK = '__bounds_fail';

/** Checks `index` (a 64-bit value) against `length`; false if it is a constant out of range (reported). */
export function checkIndex(L: Lowerer, index: Value, length: number, node: ts.ElementAccessExpression): boolean {
  if (length < 0) return true; // a table whose length is not known yet: its initialiser reports
  if (index.kind === 'const') {
    if (BigInt.asUintN(64, index.value) < BigInt(length)) return true;
    L.error(C.INDEX_RANGE, `index ${BigInt.asIntN(64, index.value)} is out of range for length ${length}`, node.argumentExpression);
    return false;
  }
  checkIndexAgainst(L, index, konst(BigInt(length), 'l'), node);
  return true;
}

/** The run-time check of `index` against a length (a constant, or a Slice's). */
export function checkIndexAgainst(L: Lowerer, index: Value, length: Value, node: ts.ElementAccessExpression): void {
  if (!L.boundsChecks || !L.fn) return;
  const b = L.b;
  const ok = b.newBlock();
  const bad = b.newBlock();
  b.br(cmp(L, 'ult', 'l', index, length), ok, bad);
  b.setBlock(bad);
  const saved = b.loc;
  const loc = nodeLoc(node);
  b.loc = loc;
  if (L.funcSyms.has(BOUNDS_HOOK)) {
    const file = { kind: 'sym' as const, name: stringSym(L, relative(process.cwd(), loc.file)), addend: 8n };
    emitCall(L, { kind: 'sym', name: BOUNDS_HOOK, addend: 0n }, [file, W(BigInt(loc.line)), index, length], NEVER);
  } else {
    b.term({ op: 'unreachable' });
  }
  b.loc = saved;
  b.setBlock(ok);
}
