// Full unrolling of small loops with a constant trip count: `for (i = 0; i < 4; i++) m.data[i] = w + i`
// becomes four stores, with no counter, compare or branch left.
//
// The shape handled is the one lowering and the scalar passes leave for a counted loop: a header h
// (phis, then instructions that decide the exit, then a branch leaving the loop on one side) and one
// body block b that h branches to and that jumps back to h, entered from exactly one block outside.
// The loop is run symbolically: each visit of h is a copy of h's instructions with the phis replaced
// by the values of the previous iteration, folded with the constant semantics of ir/fold.ts; its
// branch must fold to a constant, and while it stays in the loop a copy of b follows. The copies
// replace h's instructions (h becomes a straight block that jumps to the exit), b becomes
// unreachable, and what the exit and later blocks read from h are the values of the last visit.

import type { Func, Inst, Value } from '../ir/ir.js';
import { backEdgeLoops, buildCfg } from '../ir/cfg.js';
import { constant, foldBin, foldCmp, foldExt, foldUn } from '../ir/fold.js';
import { instDst, mapInstUses, mapTermUses } from '../ir/walk.js';

const MAX_TRIPS = 8;
const MAX_INSTS = 48; // copied instructions in all, header visits included

/** Unrolls every loop of f that fits; returns whether anything changed. */
export function unrollLoops(f: Func): boolean {
  let changed = false;
  for (const { header, body } of backEdgeLoops(f)) {
    if (body.size !== 2) continue;
    const b = [...body].find((x) => x !== header)!;
    if (unrollOne(f, header, b)) changed = true;
  }
  return changed;
}

/** The constant i computes when all its operands are constants (undefined when it traps or is not foldable). */
function fold(i: Inst): bigint | undefined {
  const k = (v: Value) => (v as { value: bigint }).value;
  const allConst = (vs: Value[]) => vs.every((v) => v.kind === 'const');
  switch (i.op) {
    case 'bin':
      return allConst([i.a, i.b]) ? foldBin(i.bin, i.cls, k(i.a), k(i.b)) : undefined;
    case 'un':
      return allConst([i.a]) ? foldUn(i.un, i.cls, k(i.a)) : undefined;
    case 'cmp':
      return allConst([i.a, i.b]) ? (foldCmp(i.cmp, i.cls, k(i.a), k(i.b)) ? 1n : 0n) : undefined;
    case 'ext':
      return allConst([i.a]) ? foldExt(i.cls, k(i.a), i.from, i.signed) : undefined;
    case 'copy':
      return allConst([i.a]) ? k(i.a) : undefined;
    default:
      return undefined;
  }
}

function unrollOne(f: Func, h: number, b: number): boolean {
  const hb = f.blocks[h];
  const bb = f.blocks[b];
  const t = hb.term;
  if (t.op !== 'br' || bb.term.op !== 'jmp' || bb.term.target !== h) return false;
  const stayThen = t.then === b;
  if (!stayThen && t.else !== b) return false;
  const exit = stayThen ? t.else : t.then;
  if (exit === h || exit === b) return false;
  const preds = buildCfg(f).preds;
  const outside = preds[h].filter((p) => p !== b);
  if (outside.length !== 1 || preds[b].length !== 1) return false;
  const phis = hb.insts.filter((i): i is Extract<Inst, { op: 'phi' }> => i.op === 'phi');
  const rest = hb.insts.filter((i) => i.op !== 'phi');
  if ([...rest, ...bb.insts].some((i) => i.op === 'phi' || i.op === 'alloca')) return false;
  if (phis.some((p) => p.incoming.length !== 2)) return false;

  // Symbolic execution: env maps the loop's vregs to their values in the current iteration.
  const env = new Map<number, Value>();
  const look = (v: Value): Value => (v.kind === 'vreg' ? env.get(v.id) ?? v : v);
  for (const p of phis) env.set(p.dst, p.incoming.find((x) => x.block !== b)!.value);
  const out: Inst[] = [];
  const copyBlock = (insts: Inst[]): void => {
    for (const i of insts) {
      const c = { ...i } as Inst; // mapInstUses replaces operands (and argument arrays): the original stays
      mapInstUses(c, look);
      const d = instDst(c);
      const k = fold(c);
      if (d && k !== undefined) {
        env.set(d.dst, constant(k, d.cls));
        continue;
      }
      if (d) {
        const fresh = f.nextVreg++;
        (c as { dst: number }).dst = fresh;
        env.set(d.dst, { kind: 'vreg', id: fresh, cls: d.cls });
      }
      out.push(c);
    }
  };
  for (let trip = 0; ; trip++) {
    copyBlock(rest);
    const cond = look(t.cond);
    if (cond.kind !== 'const') return false;
    if ((cond.value !== 0n) !== stayThen) break;
    if (trip >= MAX_TRIPS) return false;
    copyBlock(bb.insts);
    if (out.length > MAX_INSTS) return false;
    const next = phis.map((p) => look(p.incoming.find((x) => x.block === b)!.value));
    phis.forEach((p, k) => env.set(p.dst, next[k]));
  }
  if (out.length > MAX_INSTS) return false;

  // h runs the copies and leaves; everything after reads the last visit's values.
  hb.insts = out;
  hb.term = { op: 'jmp', target: exit, loc: t.loc };
  bb.insts = [];
  bb.term = { op: 'unreachable', loc: bb.term.loc };
  const final = new Map<number, Value>();
  for (const i of [...phis, ...rest]) {
    const d = instDst(i);
    if (d) final.set(d.dst, look({ kind: 'vreg', id: d.dst, cls: d.cls }));
  }
  const resolve = (v: Value): Value => (v.kind === 'vreg' ? final.get(v.id) ?? v : v);
  f.blocks.forEach((blk, k) => {
    if (k === h || k === b) return;
    for (const i of blk.insts) mapInstUses(i, resolve);
    mapTermUses(blk.term, resolve);
  });
  return true;
}
