// Rotates: `(x << n) | (x >>> (W - n))` and its mirror image are one `rol`/`ror`.
//
// The IR has no rotate operation; the front end lowers the idiom as two shifts and an or. IR shift
// counts are taken modulo the width W (as x86 does), so the pair is a rotate exactly when the two
// counts add up to 0 modulo W: then for every count, 0 included (x | x == x), the or equals x
// rotated left by the shl's count. `+` and `^` combine the halves the same way only when neither
// count is 0 modulo W (the halves then share no bit), so those need constant counts.

import type { Inst, Value } from '../ir/ir.js';
import { imm, RCX, reg, sizeOf, SUFFIX, type SelectCtx } from './mach.js';

type Bin = Extract<Inst, { op: 'bin' }>;

/** The rotate chosen for an or/add/xor: its source, and the count for rol (left) or ror. */
export interface Rotate {
  x: Value;
  left: boolean;
  count: Value;
}

/** A shift count as `sign * v + k` modulo the width (v absent when the count is a constant). */
interface Lin {
  id?: number;
  sign: 1 | -1 | 0;
  k: bigint;
}

/** The count's linear form modulo `bits`, looking through the arithmetic that keeps it (up to a few levels). */
function linear(sel: SelectCtx, v: Value, bits: number, depth = 0): Lin {
  if (v.kind === 'const') return { sign: 0, k: v.value };
  if (v.kind !== 'vreg' || depth > 4) return { id: -1, sign: 1, k: 0n }; // a symbol: never matches
  const self: Lin = { id: v.id, sign: 1, k: 0n };
  const d = sel.def.get(v.id)?.inst;
  if (!d) return self;
  const neg = (l: Lin): Lin => ({ id: l.id, sign: (l.sign === 0 ? 0 : -l.sign) as Lin['sign'], k: -l.k });
  const add = (l: Lin, k: bigint): Lin => ({ ...l, k: l.k + k });
  const mask = BigInt(bits - 1);
  if (d.op === 'ext' && d.from * 8 >= bits) return linear(sel, d.a, bits, depth + 1); // keeps the value modulo 2^(8 * from)
  if (d.op === 'un' && d.un === 'neg') return neg(linear(sel, d.a, bits, depth + 1));
  if (d.op !== 'bin') return self;
  const a = d.a;
  const b = d.b;
  if (d.bin === 'and' && b.kind === 'const' && (b.value & mask) === mask) return linear(sel, a, bits, depth + 1);
  if (d.bin === 'add' && b.kind === 'const') return add(linear(sel, a, bits, depth + 1), b.value);
  if (d.bin === 'add' && a.kind === 'const') return add(linear(sel, b, bits, depth + 1), a.value);
  if (d.bin === 'sub' && b.kind === 'const') return add(linear(sel, a, bits, depth + 1), -b.value);
  if (d.bin === 'sub' && a.kind === 'const') return add(neg(linear(sel, b, bits, depth + 1)), a.value);
  return self;
}

/** Whether two counts add up to 0 modulo `bits`. */
function complementary(p: Lin, q: Lin, bits: number): boolean {
  const m = BigInt(bits);
  const sumZero = (((p.k + q.k) % m) + m) % m === 0n;
  if (p.sign === 0 && q.sign === 0) return sumZero;
  return p.id !== undefined && p.id === q.id && p.id >= 0 && p.sign + q.sign === 0 && sumZero;
}

/** The single-use shift that defines v, if selection can fold it into its user. */
function shiftDef(sel: SelectCtx, v: Value, cls: 'w' | 'l'): Bin | undefined {
  if (v.kind !== 'vreg' || sel.useCount.get(v.id) !== 1) return undefined;
  const d = sel.def.get(v.id)?.inst;
  if (!d || d.op !== 'bin' || d.cls !== cls || (d.bin !== 'shl' && d.bin !== 'shr') || sel.folded.has(d) || d.a.kind !== 'vreg') return undefined;
  return d;
}

/** The count computation that the rotate no longer needs when it uses the other count: folded away. */
function dropCount(sel: SelectCtx, v: Value): boolean {
  if (v.kind !== 'vreg' || sel.useCount.get(v.id) !== 1) return false;
  const d = sel.def.get(v.id)?.inst;
  if (!d || sel.folded.has(d) || !((d.op === 'bin' && ['add', 'sub', 'and'].includes(d.bin)) || (d.op === 'un' && d.un === 'neg') || d.op === 'ext')) return false;
  sel.folded.add(d);
  return true;
}

/** The rotate `i` is, if it is one (see the file comment); its shifts are then folded into it. */
export function planRotate(sel: SelectCtx, i: Inst): Rotate | undefined {
  if (i.op !== 'bin' || (i.bin !== 'or' && i.bin !== 'add' && i.bin !== 'xor') || sel.folded.has(i)) return;
  const p = shiftDef(sel, i.a, i.cls);
  const q = shiftDef(sel, i.b, i.cls);
  if (!p || !q || p === q || p.bin === q.bin || (p.a as { id: number }).id !== (q.a as { id: number }).id) return;
  const [shl, shr] = p.bin === 'shl' ? [p, q] : [q, p];
  const bits = sizeOf(i.cls) * 8;
  const l = linear(sel, shl.b, bits);
  const r = linear(sel, shr.b, bits);
  if (!complementary(l, r, bits)) return;
  if (i.bin !== 'or' && (l.sign !== 0 || ((l.k % BigInt(bits)) + BigInt(bits)) % BigInt(bits) === 0n)) return;
  sel.folded.add(shl);
  sel.folded.add(shr);
  // With a variable count, keep whichever count is computed anyway and drop the other's arithmetic.
  let left = true;
  if (shl.b.kind !== 'const') {
    if (dropCount(sel, shl.b)) left = false;
    else dropCount(sel, shr.b);
  }
  return { x: shl.a, left, count: left ? shl.b : shr.b };
}

/** Emits the rotate planned for `i`. */
export function selectRotate(sel: SelectCtx, i: Bin, rot: Rotate): void {
  const sz = sizeOf(i.cls);
  const d = sel.v(i.dst);
  const mn = `${rot.left ? 'rol' : 'ror'}${SUFFIX[sz]}`;
  if (rot.count.kind === 'const') {
    const k = BigInt(Number(BigInt.asUintN(8, rot.count.value)) & (sz * 8 - 1));
    sel.materialise(rot.x, d, sz);
    if (k !== 0n) sel.emit(mn, [imm(k), reg(d, sz)], ['r', 'rw']);
    return;
  }
  sel.materialise(rot.x, d, sz);
  sel.materialise(rot.count, RCX, 4);
  sel.emit(mn, [reg(RCX, 1), reg(d, sz)], ['r', 'rw']);
}
