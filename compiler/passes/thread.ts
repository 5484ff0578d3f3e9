// Jump threading through a join that only decides a branch: after inlining `if (!send(...))`, the
// join block is `r = phi(1 from the success path, 0 from the failure path); br r` and each path
// knows its value. A predecessor that jumps to such a block with a constant for the tested phi
// jumps straight to the successor the constant selects (`movl $1, %eax; testl %eax, %eax; jne`
// disappears).
//
// The join M qualifies when it holds only phis and at most one compare of a phi with a constant,
// its branch tests that compare or a phi, and nothing outside M reads its values except the phis
// of its successors on the edges from M (so bypassing M breaks no dominance). A predecessor P
// qualifies when it ends in `jmp M`; it then jumps to the chosen successor T, whose phis take, for
// the new edge from P, what they took from M (a phi of M read through P's incoming value).

import type { Func, Inst, Value } from '../ir/ir.js';
import { buildCfg } from '../ir/cfg.js';
import { foldCmp } from '../ir/fold.js';
import { instUses, termUses } from '../ir/walk.js';

type Phi = Extract<Inst, { op: 'phi' }>;

/** Threads every qualifying edge of f; returns whether anything changed. */
export function threadJumps(f: Func): boolean {
  let changed = false;
  for (const m of buildCfg(f).rpo) if (threadBlock(f, m)) changed = true;
  return changed;
}

/** Vregs read anywhere except in M itself and in the phis of M's successors on edges from M. */
function readElsewhere(f: Func, m: number): Set<number> {
  const out = new Set<number>();
  const add = (v: Value) => v.kind === 'vreg' && out.add(v.id);
  f.blocks.forEach((b, k) => {
    if (k === m) return;
    for (const i of b.insts) {
      if (i.op === 'phi') for (const inc of i.incoming) if (inc.block !== m) add(inc.value);
      if (i.op !== 'phi') instUses(i).forEach(add);
    }
    termUses(b.term).forEach(add);
  });
  return out;
}

function threadBlock(f: Func, m: number): boolean {
  const mb = f.blocks[m];
  const t = mb.term;
  if (t.op !== 'br' || t.cond.kind !== 'vreg' || t.then === m || t.else === m) return false;
  const phis = mb.insts.filter((i): i is Phi => i.op === 'phi');
  const others = mb.insts.filter((i) => i.op !== 'phi');
  if (others.length > 1) return false;
  // How the branch depends on one phi: decide(x) gives the successor for a constant x.
  const condId = t.cond.id;
  let phi: Phi | undefined;
  let decide: (x: bigint) => number;
  const cmp = others[0];
  if (!cmp) {
    phi = phis.find((p) => p.dst === condId);
    decide = (x) => (x !== 0n ? t.then : t.else);
  } else {
    if (cmp.op !== 'cmp' || cmp.dst !== condId || cmp.b.kind !== 'const' || cmp.a.kind !== 'vreg') return false;
    const a = cmp.a;
    const k = cmp.b.value;
    phi = phis.find((p) => p.dst === a.id);
    decide = (x) => (foldCmp(cmp.cmp, cmp.cls, x, k) ? t.then : t.else);
  }
  if (!phi) return false;
  const elsewhere = readElsewhere(f, m);
  if ([...phis, ...others].some((i) => elsewhere.has((i as { dst: number }).dst))) return false;
  const preds = buildCfg(f).preds[m];
  let changed = false;
  for (const p of preds) {
    const pt = f.blocks[p].term;
    const inc = phi.incoming.find((x) => x.block === p);
    if (pt.op !== 'jmp' || !inc || inc.value.kind !== 'const' || p === m) continue;
    const target = decide(inc.value.value);
    const tphis = f.blocks[target].insts.filter((i): i is Phi => i.op === 'phi');
    if (cmp && tphis.some((i) => i.incoming.some((x) => x.block === m && x.value.kind === 'vreg' && x.value.id === cmp.dst))) continue;
    // Through M, from P: a phi of M is its incoming value from P.
    const through = (v: Value): Value => {
      const mp = v.kind === 'vreg' ? phis.find((x) => x.dst === v.id) : undefined;
      return mp ? mp.incoming.find((x) => x.block === p)!.value : v;
    };
    for (const i of tphis) {
      const fromM = i.incoming.find((x) => x.block === m);
      if (fromM) i.incoming.push({ block: p, value: through(fromM.value) });
    }
    for (const x of phis) x.incoming = x.incoming.filter((y) => y.block !== p);
    f.blocks[p].term = { op: 'jmp', target, loc: pt.loc };
    changed = true;
  }
  return changed;
}
