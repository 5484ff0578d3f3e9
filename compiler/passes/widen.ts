// Induction-variable widening: an i32 loop counter indexes memory through a sign extension
// (`movslq` at every `a[i]`). When the loop's own exit test proves the counter never wraps, the
// loop gets a 64-bit twin of the counter, and the sign extensions become that twin.
//
// The shape handled: a header h with a phi p = phi(init from outside, n from inside), n = p + c
// (c a constant) computed in the loop but not in h, and h's branch leaving the loop on a signed
// comparison of p with a loop-invariant bound B: stay while p < B or p <= B (c > 0), p > B or
// p >= B (c < 0). Every block of the loop except h is reached from h's staying edge (leaving the
// loop cannot lead back into it without passing h), so wherever n is computed p satisfies the
// test: p <= B - 1 (or B), and n = p + c cannot pass the largest i32 when B - 1 + c fits. Then no
// value p takes ever wraps, so at every point q = sext(p) for q = phi(sext(init), q + c) computed
// in 64 bits, and:
//   - sext(p) is q, sext(n) is q's increment, and the exit test compares q with sext(B) (a signed
//     comparison of sign-extended values is the same comparison);
//   - sext(p + k) for a constant k, computed in the loop outside h, is q + k when p's range there
//     ([lowest init, B - 1]) plus k stays within i32. That is what lets `a[i - 1]` address as
//     `a-4(,%rq,4)`.
// The 32-bit counter stays only if something else uses it (DCE removes it otherwise).

import type { CmpOp, Func, Inst, Value } from '../ir/ir.js';
import { backEdgeLoops } from '../ir/cfg.js';
import { constant, toSigned } from '../ir/fold.js';
import { instDst, vreg } from '../ir/walk.js';
import { SWAPPED_CMP } from './opt.js';

const I32_MIN = -(1n << 31n);
const I32_MAX = (1n << 31n) - 1n;
const NEGATED: Partial<Record<CmpOp, CmpOp>> = { slt: 'sge', sle: 'sgt', sgt: 'sle', sge: 'slt' };

type Def = { inst: Inst; block: number };

/** A counter and what its exit test proves: lo <= p <= hi inside the loop (outside its header). */
interface Counter {
  header: number;
  body: Set<number>;
  phi: Extract<Inst, { op: 'phi' }>;
  step: Extract<Inst, { op: 'bin' }>; // n = p + c
  c: bigint;
  cmp: Extract<Inst, { op: 'cmp' }>;
  lo: bigint;
  hi: bigint;
}

/** Widens the i32 counters of f's loops; returns whether anything changed. */
export function widenInductionVars(f: Func): boolean {
  const def = new Map<number, Def>();
  f.blocks.forEach((b, k) => {
    for (const i of b.insts) {
      const d = instDst(i);
      if (d) def.set(d.dst, { inst: i, block: k });
    }
  });
  const loops = new Map<number, Set<number>>();
  for (const { header, body } of backEdgeLoops(f)) {
    const merged = loops.get(header);
    if (merged) for (const b of body) merged.add(b);
    else loops.set(header, new Set(body));
  }
  const counters: Counter[] = [];
  for (const [h, body] of loops) counters.push(...findCounters(f, def, h, body));
  if (!counters.length) return false;
  for (const k of counters) widen(f, def, k);
  return true;
}

const invariantIn = (def: Map<number, Def>, body: Set<number>, v: Value): boolean => v.kind === 'const' || (v.kind === 'vreg' && !body.has(def.get(v.id)?.block ?? -1));

function findCounters(f: Func, def: Map<number, Def>, h: number, body: Set<number>): Counter[] {
  const t = f.blocks[h].term;
  if (t.op !== 'br' || t.cond.kind !== 'vreg' || body.has(t.then) === body.has(t.else)) return [];
  const cd = def.get(t.cond.id);
  if (!cd || cd.block !== h || cd.inst.op !== 'cmp' || cd.inst.cls !== 'w') return [];
  const cmp = cd.inst;
  const out: Counter[] = [];
  for (const phi of f.blocks[h].insts) {
    if (phi.op !== 'phi' || phi.cls !== 'w') continue;
    // The test as `p op B`, true to stay in the loop.
    let op: CmpOp | undefined;
    let bound: Value;
    if (cmp.a.kind === 'vreg' && cmp.a.id === phi.dst) [op, bound] = [cmp.cmp, cmp.b];
    else if (cmp.b.kind === 'vreg' && cmp.b.id === phi.dst) [op, bound] = [SWAPPED_CMP[cmp.cmp], cmp.a];
    else continue;
    if (!body.has(t.then)) op = NEGATED[op];
    if (!op || !NEGATED[op] || !invariantIn(def, body, bound)) continue;
    const outside = phi.incoming.filter((x) => !body.has(x.block));
    const inside = phi.incoming.filter((x) => body.has(x.block));
    if (outside.length === 0 || inside.length === 0) continue;
    const n = inside[0].value;
    if (n.kind !== 'vreg' || !inside.every((x) => x.value.kind === 'vreg' && x.value.id === n.id)) continue;
    const nd = def.get(n.id);
    if (!nd || nd.block === h || !body.has(nd.block)) continue;
    const step = nd.inst;
    if (step.op !== 'bin' || step.cls !== 'w' || step.a.kind !== 'vreg' || step.a.id !== phi.dst || step.b.kind !== 'const') continue;
    if (step.bin !== 'add' && step.bin !== 'sub') continue;
    const c = toSigned('w', step.bin === 'add' ? step.b.value : -step.b.value);
    if (c === 0n || c > 1n << 20n || c < -(1n << 20n)) continue;
    const b = bound.kind === 'const' ? toSigned('w', bound.value) : undefined;
    const inits = outside.map((x) => (x.value.kind === 'const' ? toSigned('w', x.value.value) : undefined));
    let lo: bigint;
    let hi: bigint;
    if (c > 0 && (op === 'slt' || op === 'sle')) {
      hi = b === undefined ? I32_MAX : b;
      if (op === 'slt') hi -= 1n;
      lo = inits.every((x) => x !== undefined) ? (inits as bigint[]).reduce((m, x) => (x < m ? x : m)) : I32_MIN;
      if (hi + c > I32_MAX) continue;
    } else if (c < 0 && (op === 'sgt' || op === 'sge')) {
      lo = b === undefined ? I32_MIN : b;
      if (op === 'sgt') lo += 1n;
      hi = inits.every((x) => x !== undefined) ? (inits as bigint[]).reduce((m, x) => (x > m ? x : m)) : I32_MAX;
      if (lo + c < I32_MIN) continue;
    } else continue;
    out.push({ header: h, body, phi, step, c, cmp, lo, hi });
  }
  return out;
}

const isSext4 = (i: Inst): i is Extract<Inst, { op: 'ext' }> => i.op === 'ext' && i.cls === 'l' && i.from === 4 && i.signed;

function widen(f: Func, def: Map<number, Def>, k: Counter): void {
  const { phi, step, cmp, header: h, body } = k;
  const p = phi.dst;
  const n = step.dst;
  const loc = phi.loc;
  const q = f.nextVreg++;
  const nq = f.nextVreg++;
  const sext = (v: Value, at: number): Value => {
    if (v.kind === 'const') return constant(toSigned('w', v.value), 'l');
    const dst = f.nextVreg++;
    f.blocks[at].insts.push({ op: 'ext', cls: 'l', dst, a: v, from: 4, signed: true, loc });
    return vreg(dst, 'l');
  };
  // q = phi(sext(init), nq); nq = q + c right after n.
  const incoming = phi.incoming.map((x) => ({ block: x.block, value: body.has(x.block) ? vreg(nq, 'l') : sext(x.value, x.block) }));
  const hb = f.blocks[h];
  hb.insts.splice(hb.insts.indexOf(phi) + 1, 0, { op: 'phi', cls: 'l', dst: q, incoming, loc });
  const sb = f.blocks[def.get(n)!.block];
  sb.insts.splice(sb.insts.indexOf(step) + 1, 0, { op: 'bin', bin: 'add', cls: 'l', dst: nq, a: vreg(q, 'l'), b: constant(k.c, 'l'), loc: step.loc });
  // The exit test on q (the bound is invariant: defined outside the loop, so before the header's preds).
  const other = cmp.a.kind === 'vreg' && cmp.a.id === p ? 'b' : 'a';
  const bound = cmp[other];
  let wideBound: Value;
  if (bound.kind === 'const') wideBound = constant(toSigned('w', bound.value), 'l');
  else {
    const dst = f.nextVreg++;
    hb.insts.splice(hb.insts.indexOf(cmp), 0, { op: 'ext', cls: 'l', dst, a: bound, from: 4, signed: true, loc: cmp.loc });
    wideBound = vreg(dst, 'l');
  }
  cmp[other] = wideBound;
  cmp[other === 'a' ? 'b' : 'a'] = vreg(q, 'l');
  cmp.cls = 'l';
  // Sign extensions of p and n anywhere, and of p + k computed in the loop outside its header.
  const inBody = (v: Value) => v.kind === 'vreg' && body.has(def.get(v.id)?.block ?? -1) && def.get(v.id)!.block !== h;
  for (const b of f.blocks) {
    b.insts = b.insts.map((i): Inst => {
      if (!isSext4(i) || i.a.kind !== 'vreg') return i;
      const copy = (src: number): Inst => ({ op: 'copy', cls: 'l', dst: i.dst, a: vreg(src, 'l'), loc: i.loc });
      if (i.a.id === p) return copy(q);
      if (i.a.id === n) return copy(nq);
      if (!inBody(i.a)) return i;
      const a = def.get(i.a.id)!.inst;
      if (a.op !== 'bin' || a.cls !== 'w' || (a.bin !== 'add' && a.bin !== 'sub') || a.a.kind !== 'vreg' || a.a.id !== p || a.b.kind !== 'const') return i;
      const off = toSigned('w', a.bin === 'add' ? a.b.value : -a.b.value);
      if (k.lo + off < I32_MIN || k.hi + off > I32_MAX) return i;
      return { op: 'bin', bin: 'add', cls: 'l', dst: i.dst, a: vreg(q, 'l'), b: constant(off, 'l'), loc: i.loc };
    });
  }
}
