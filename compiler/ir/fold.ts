// Constant folding of IR arithmetic and comparisons, with the machine's wrap-around: used by lowering
// (constant operands, module-level constants) and by the IR interpreter.

import type { Cls, BinOp, CmpOp } from './ir.js';

export function foldBin(op: BinOp, cls: Cls, a: bigint, b: bigint): bigint | null {
  const bits = cls === 'w' ? 32 : 64;
  const s = (x: bigint) => BigInt.asIntN(bits, x);
  const uu = (x: bigint) => BigInt.asUintN(bits, x);
  const mask = BigInt(bits - 1);
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return uu(a) << (uu(b) & mask);
    case 'shr': return uu(a) >> (uu(b) & mask);
    case 'sar': return s(a) >> (uu(b) & mask);
    case 'sdiv': case 'srem': {
      if (s(b) === 0n || (s(a) === -(1n << BigInt(bits - 1)) && s(b) === -1n)) return null; // traps at run time
      return op === 'sdiv' ? s(a) / s(b) : s(a) % s(b);
    }
    case 'udiv': case 'urem': {
      if (uu(b) === 0n) return null;
      return op === 'udiv' ? uu(a) / uu(b) : uu(a) % uu(b);
    }
  }
}

export function foldCmp(op: CmpOp, cls: Cls, a: bigint, b: bigint): boolean {
  const bits = cls === 'w' ? 32 : 64;
  const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  const ua = BigInt.asUintN(bits, a), ub = BigInt.asUintN(bits, b);
  switch (op) {
    case 'eq': return ua === ub;
    case 'ne': return ua !== ub;
    case 'slt': return sa < sb;
    case 'sle': return sa <= sb;
    case 'sgt': return sa > sb;
    case 'sge': return sa >= sb;
    case 'ult': return ua < ub;
    case 'ule': return ua <= ub;
    case 'ugt': return ua > ub;
    case 'uge': return ua >= ub;
  }
}
