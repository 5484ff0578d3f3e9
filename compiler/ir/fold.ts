// The semantics of IR constants, defined once: the normal form of a constant (two's complement,
// held unsigned at its class width), arithmetic and comparisons at class width, and which divisions
// trap. Lowering folds constant expressions with it, the optimizer propagates constants with it,
// and the IR interpreter executes with it.
//
// Arithmetic wraps at the class width, shift counts are masked to the width, division truncates
// toward zero, and a division that would trap (by zero, or MIN / -1) has no value (undefined): it
// must stay in the code so that it traps at run time.

import type { BinOp, Cls, CmpOp, Value } from './ir.js';

export const bitsOf = (cls: Cls): number => (cls === 'w' ? 32 : 64);
/** x as an unsigned (normal-form) or signed value of the class's width. */
export const toUnsigned = (cls: Cls, x: bigint): bigint => BigInt.asUintN(bitsOf(cls), x);
export const toSigned = (cls: Cls, x: bigint): bigint => BigInt.asIntN(bitsOf(cls), x);
const u = toUnsigned;
const s = toSigned;

/** A constant operand in normal form. */
export function constant(value: bigint, cls: Cls): Value {
  return { kind: 'const', value: u(cls, value), cls };
}

/** a op b at class width, or undefined when the operation traps (and so must not be folded). */
export function foldBin(op: BinOp, cls: Cls, a: bigint, b: bigint): bigint | undefined {
  const bits = bitsOf(cls);
  const sh = u(cls, b) & BigInt(bits - 1);
  switch (op) {
    case 'add':
      return u(cls, a + b);
    case 'sub':
      return u(cls, a - b);
    case 'mul':
      return u(cls, a * b);
    case 'and':
      return u(cls, a & b);
    case 'or':
      return u(cls, a | b);
    case 'xor':
      return u(cls, a ^ b);
    case 'shl':
      return u(cls, a << sh);
    case 'shr':
      return u(cls, u(cls, a) >> sh);
    case 'sar':
      return u(cls, s(cls, a) >> sh);
    case 'sdiv':
    case 'srem': {
      const x = s(cls, a);
      const y = s(cls, b);
      if (y === 0n || (y === -1n && x === -(1n << BigInt(bits - 1)))) return undefined;
      return u(cls, op === 'sdiv' ? x / y : x % y); // BigInt division truncates toward zero
    }
    case 'udiv':
    case 'urem': {
      const x = u(cls, a);
      const y = u(cls, b);
      if (y === 0n) return undefined;
      return op === 'udiv' ? x / y : x % y;
    }
  }
}

/** -a or ~a at class width. */
export function foldUn(op: 'neg' | 'not', cls: Cls, a: bigint): bigint {
  return u(cls, op === 'neg' ? -a : ~a);
}

export function foldCmp(op: CmpOp, cls: Cls, a: bigint, b: bigint): boolean {
  const [sa, sb, ua, ub] = [s(cls, a), s(cls, b), u(cls, a), u(cls, b)];
  switch (op) {
    case 'eq':
      return ua === ub;
    case 'ne':
      return ua !== ub;
    case 'slt':
      return sa < sb;
    case 'sle':
      return sa <= sb;
    case 'sgt':
      return sa > sb;
    case 'sge':
      return sa >= sb;
    case 'ult':
      return ua < ub;
    case 'ule':
      return ua <= ub;
    case 'ugt':
      return ua > ub;
    case 'uge':
      return ua >= ub;
  }
}

/** The low `from` bytes of a, sign- or zero-extended to the class width. */
export function foldExt(cls: Cls, a: bigint, from: number, signed: boolean): bigint {
  const bits = from * 8;
  return u(cls, signed ? BigInt.asIntN(bits, a) : BigInt.asUintN(bits, a));
}

/** Division traps on a zero divisor and on MIN / -1; a constant divisor other than 0 and -1 cannot. */
export function mayTrap(op: BinOp, cls: Cls, b: Value): boolean {
  if (op !== 'sdiv' && op !== 'udiv' && op !== 'srem' && op !== 'urem') return false;
  if (b.kind !== 'const') return true;
  const v = u(cls, b.value);
  if (v === 0n) return true;
  return (op === 'sdiv' || op === 'srem') && v === u(cls, -1n);
}
