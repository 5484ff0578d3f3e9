// Division and remainder by a constant, selected as multiplications by a reciprocal.

import type { Inst } from '../ir/ir.js';
import { fitsS32, imm, immFits, immOf, RAX, RDX, reg, sizeOf, SUFFIX, type Size, type SelectCtx } from './mach.js';

/**
 * Division and remainder by a constant as a multiplication by its reciprocal (Granlund and
 * Montgomery; Hacker's Delight 10): exact for every dividend. Returns false where `div` stays:
 * divisors 0, 1, -1 and the most negative one, and unsigned powers of two (opt.ts makes shifts).
 */
export function divByConstant(sel: SelectCtx, i: Extract<Inst, { op: 'bin' }>, d: bigint): boolean {
  const sz = sizeOf(i.cls);
  const N = sz * 8;
  const sfx = SUFFIX[sz];
  const signed = i.bin === 'sdiv' || i.bin === 'srem';
  const x = (i.a as { id: number }).id;
  const ad = d < 0n ? -d : d;
  if (ad < 2n || ad >= 1n << BigInt(N - 1) + (signed ? 0n : 1n) || (!signed && (d & (d - 1n)) === 0n)) return false;
  const q = sel.tmp(signed ? sz : 8);
  const mulBy = (m: bigint, s: Size, op: string) => {
    const t = sel.tmp(s);
    sel.materialise({ kind: 'const', value: BigInt.asUintN(s * 8, m), cls: s === 8 ? 'l' : 'w' }, t, s);
    sel.emit(`${op}${SUFFIX[s]}`, [reg(t, s)], ['r'], { implUses: [RAX], implDefs: [RAX, RDX] });
  };
  const L = BigInt(ad.toString(2).length);
  // Unsigned 32-bit: the smallest s with m = ceil(2^(32+s) / d) < 2^32 exact for every x < 2^32
  // (m * d - 2^(32+s) <= 2^s) gives q = (x * m) >> (32 + s) in one 64-bit imul, free registers.
  let s32 = -1n;
  for (let k = 0n; !signed && N === 32 && k <= L && s32 < 0n; k++) {
    const m = ((1n << (32n + k)) + ad - 1n) / ad;
    if (m < 1n << 32n && m * ad - (1n << (32n + k)) <= 1n << k) s32 = k;
  }
  if (s32 >= 0n) {
    const m = ((1n << (32n + s32)) + ad - 1n) / ad;
    let xr = sel.v(x);
    if (!sel.zx.has(x)) {
      xr = sel.tmp(8);
      sel.emit('movl', [reg(sel.v(x), 4), reg(xr, 4)], ['r', 'w']);
    }
    if (fitsS32(m)) sel.emit('imulq', [imm(m), reg(xr, 8), reg(q, 8)], ['r', 'r', 'w']);
    else {
      sel.materialise({ kind: 'const', value: m, cls: 'w' }, q, 4);
      sel.emit('imulq', [reg(xr, 8), reg(q, 8)], ['r', 'rw']);
    }
    sel.emit('shrq', [imm(32n + s32), reg(q, 8)], ['r', 'rw']);
  } else if (!signed && N === 32) {
    // x < 2^32 times m = ceil(2^(63+L) / d) < 2^64, high half shifted by L-1 (error < 2^-31).
    if (sel.zx.has(x)) sel.copy(sel.v(x), RAX, 4);
    else sel.emit('movl', [reg(sel.v(x), 4), reg(RAX, 4)], ['r', 'w']);
    mulBy(((1n << (63n + L)) + ad - 1n) / ad, 8, 'mul');
    sel.copy(RDX, q, 8);
    sel.emit('shrq', [imm(L - 1n), reg(q, 8)], ['r', 'rw']);
  } else if (!signed) {
    let s = -1n;
    for (let k = 0n; k <= L && s < 0n; k++) {
      const m = ((1n << (64n + k)) + ad - 1n) / ad;
      if (m < 1n << 64n && m * ad - (1n << (64n + k)) <= 1n << k) s = k;
    }
    sel.copy(sel.v(x), RAX, 8);
    if (s >= 0n) {
      mulBy(((1n << (64n + s)) + ad - 1n) / ad, 8, 'mul');
      sel.copy(RDX, q, 8);
      if (s > 0n) sel.emit('shrq', [imm(s), reg(q, 8)], ['r', 'rw']);
    } else {
      // The 65-bit multiplier: q = (t + ((x - t) >> 1)) >> (L - 1), t = mulhi(x, m - 2^64).
      mulBy(((1n << 64n) * ((1n << L) - ad)) / ad + 1n, 8, 'mul');
      sel.copy(sel.v(x), q, 8);
      sel.emit('subq', [reg(RDX, 8), reg(q, 8)], ['r', 'rw']);
      sel.emit('shrq', [imm(1n), reg(q, 8)], ['r', 'rw']);
      sel.emit('addq', [reg(RDX, 8), reg(q, 8)], ['r', 'rw']);
      sel.emit('shrq', [imm(L - 1n), reg(q, 8)], ['r', 'rw']);
    }
  } else {
    const { m, s } = signedMagic(d, N);
    sel.copy(sel.v(x), RAX, sz);
    mulBy(m, sz, 'imul');
    sel.copy(RDX, q, sz);
    const M = BigInt.asIntN(N, m);
    if (d > 0n && M < 0n) sel.emit(`add${sfx}`, [reg(sel.v(x), sz), reg(q, sz)], ['r', 'rw']);
    if (d < 0n && M > 0n) sel.emit(`sub${sfx}`, [reg(sel.v(x), sz), reg(q, sz)], ['r', 'rw']);
    if (s > 0n) sel.emit(`sar${sfx}`, [imm(s), reg(q, sz)], ['r', 'rw']);
    const t = sel.tmp(sz);
    sel.copy(q, t, sz);
    sel.emit(`shr${sfx}`, [imm(BigInt(N - 1)), reg(t, sz)], ['r', 'rw']);
    sel.emit(`add${sfx}`, [reg(t, sz), reg(q, sz)], ['r', 'rw']); // round toward zero
  }
  const dst = sel.v(i.dst);
  if (i.bin === 'udiv' || i.bin === 'sdiv') {
    sel.copy(q, dst, sz);
    return true;
  }
  // remainder = x - q * d
  if (immFits(d, sz)) sel.emit(`imul${sfx}`, [imm(immOf(d, sz)), reg(q, sz), reg(q, sz)], ['r', 'r', 'w']);
  else sel.emit(`imul${sfx}`, [sel.srcOf({ kind: 'const', value: BigInt.asUintN(N, d), cls: i.cls }, sz), reg(q, sz)], ['r', 'rw']);
  sel.copy(sel.v(x), dst, sz);
  sel.emit(`sub${sfx}`, [reg(q, sz), reg(dst, sz)], ['r', 'rw']);
  return true;
}

/**
 * Hacker's Delight's magic number for signed division by d (2 <= |d| < 2^(N-1)) at N bits: the
 * multiplier m (N bits, two's complement) and the shift s.
 */
export function signedMagic(d: bigint, N: number): { m: bigint; s: bigint } {
  const bits = BigInt(N);
  const two = 1n << (bits - 1n);
  const ad = d < 0n ? -d : d;
  const t = two + (d < 0n ? 1n : 0n);
  const anc = t - 1n - (t % ad);
  let p = bits - 1n;
  let [q1, r1] = [two / anc, two % anc];
  let [q2, r2] = [two / ad, two % ad];
  let delta: bigint;
  do {
    p++;
    q1 *= 2n;
    r1 *= 2n;
    if (r1 >= anc) (q1++, (r1 -= anc));
    q2 *= 2n;
    r2 *= 2n;
    if (r2 >= ad) (q2++, (r2 -= ad));
    delta = ad - r2;
  } while (q1 < delta || (q1 === delta && r1 === 0n));
  const m = BigInt.asUintN(N, d < 0n ? -(q2 + 1n) : q2 + 1n);
  return { m, s: p - bits };
}
