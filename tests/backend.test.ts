// Back-end tests: hand-written IR compiled by compileModule, assembled by GNU as, linked with a C
// driver by gcc, run natively. Expected values come from independent BigInt reference code.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { BinOp, Cls, CmpOp } from '../compiler/ir.js';
import { C_PRELUDE, FB, c, listing, module, run, sym } from './backend/build.js';

const FIXTURE_S = join(import.meta.dirname, 'backend', 'fixtures.S');
const bits = (cls: Cls) => (cls === 'w' ? 32 : 64);
const U = (cls: Cls, x: bigint) => BigInt.asUintN(bits(cls), x);
const S = (cls: Cls, x: bigint) => BigInt.asIntN(bits(cls), x);
const ctype = (cls: Cls) => (cls === 'w' ? 'uint32_t' : 'uint64_t');

/** Reference semantics, written independently of compiler/opt.ts. */
function refBin(op: BinOp, cls: Cls, a: bigint, b: bigint): bigint {
  const n = BigInt(bits(cls));
  const sh = U(cls, b) % n;
  const trunc = (x: bigint, y: bigint) => (x - (((x % y) + y) % y)) / y + ((x % y !== 0n && x < 0n !== y < 0n) ? 1n : 0n);
  switch (op) {
    case 'add': return U(cls, a + b);
    case 'sub': return U(cls, a - b);
    case 'mul': return U(cls, a * b);
    case 'and': return U(cls, a & b);
    case 'or': return U(cls, a | b);
    case 'xor': return U(cls, a ^ b);
    case 'shl': return U(cls, U(cls, a) * 2n ** sh);
    case 'shr': return U(cls, U(cls, a) / 2n ** sh);
    case 'sar': { const x = S(cls, a); const d = 2n ** sh; return U(cls, x >= 0n ? x / d : -((-x + d - 1n) / d)); }
    case 'sdiv': return U(cls, trunc(S(cls, a), S(cls, b)));
    case 'srem': return U(cls, S(cls, a) - trunc(S(cls, a), S(cls, b)) * S(cls, b));
    case 'udiv': return U(cls, U(cls, a) / U(cls, b));
    case 'urem': return U(cls, U(cls, a) % U(cls, b));
  }
}

function refCmp(op: CmpOp, cls: Cls, a: bigint, b: bigint): bigint {
  const [sa, sb, ua, ub] = [S(cls, a), S(cls, b), U(cls, a), U(cls, b)];
  const r = { eq: ua === ub, ne: ua !== ub, slt: sa < sb, sle: sa <= sb, sgt: sa > sb, sge: sa >= sb, ult: ua < ub, ule: ua <= ub, ugt: ua > ub, uge: ua >= ub }[op];
  return r ? 1n : 0n;
}

const BIN_OPS: BinOp[] = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr', 'sar', 'sdiv', 'srem', 'udiv', 'urem'];
const CMP_OPS: CmpOp[] = ['eq', 'ne', 'slt', 'sle', 'sgt', 'sge', 'ult', 'ule', 'ugt', 'uge'];
const VALUES: Record<Cls, bigint[]> = {
  w: [0n, 1n, 2n, 3n, 7n, 31n, 32n, 33n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0xfffffff9n, 12345n, 0x1234n],
  l: [0n, 1n, 3n, 63n, 64n, 65n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffff9n, 123456789012n],
};
const traps = (op: BinOp, cls: Cls, a: bigint, b: bigint) =>
  ['sdiv', 'srem', 'udiv', 'urem'].includes(op) && (U(cls, b) === 0n || (op[0] === 's' && S(cls, b) === -1n && S(cls, a) === -(1n << BigInt(bits(cls) - 1))));

describe('arithmetic at w and l', () => {
  it('every binary operator and comparison matches the reference at run time and when folded', async () => {
    const funcs: FB[] = [];
    let driver = C_PRELUDE;
    let protos = '';
    const expected: string[] = [];
    for (const cls of ['w', 'l'] as Cls[]) {
      const T = ctype(cls);
      for (const op of BIN_OPS) {
        // Run-time version with register operands, and one with a constant right operand.
        const f = new FB(`t_${op}_${cls}`, [cls, cls], cls);
        f.ret(f.bin(op, cls, f.p(0), f.p(1)));
        funcs.push(f);
        protos += `${T} t_${op}_${cls}(${T}, ${T});\n`;
        VALUES[cls].forEach((a, ai) => {
          for (const b of VALUES[cls]) {
            if (traps(op, cls, a, b)) continue;
            driver += `  printf("t_${op}_${cls}(${a},${b})=%llu\\n", (unsigned long long)t_${op}_${cls}(${a}ull, ${b}ull));\n`;
            expected.push(`t_${op}_${cls}(${a},${b})=${refBin(op, cls, a, b)}`);
          }
          // Constant-folded version: both operands constant.
          const b = VALUES[cls][(ai * 5 + 3) % VALUES[cls].length];
          if (traps(op, cls, a, b)) return;
          const k = new FB(`k_${op}_${cls}_${ai}`, [], cls);
          k.ret(k.bin(op, cls, c(a, cls), c(b, cls)));
          funcs.push(k);
          protos += `${T} k_${op}_${cls}_${ai}(void);\n`;
          driver += `  printf("k_${op}_${cls}(${a},${b})=%llu\\n", (unsigned long long)k_${op}_${cls}_${ai}());\n`;
          expected.push(`k_${op}_${cls}(${a},${b})=${refBin(op, cls, a, b)}`);
          // Immediate right operand.
          const g = new FB(`i_${op}_${cls}_${ai}`, [cls], cls);
          g.ret(g.bin(op, cls, g.p(0), c(b, cls)));
          funcs.push(g);
          protos += `${T} i_${op}_${cls}_${ai}(${T});\n`;
          driver += `  printf("i_${op}_${cls}(${a},${b})=%llu\\n", (unsigned long long)i_${op}_${cls}_${ai}(${a}ull));\n`;
          expected.push(`i_${op}_${cls}(${a},${b})=${refBin(op, cls, a, b)}`);
        });
      }
      for (const op of CMP_OPS) {
        const f = new FB(`t_${op}_${cls}`, [cls, cls], 'w');
        f.ret(f.cmp(op, cls, f.p(0), f.p(1)));
        funcs.push(f);
        protos += `uint32_t t_${op}_${cls}(${T}, ${T});\n`;
        // Compare-and-branch form.
        const g = new FB(`b_${op}_${cls}`, [cls, cls], 'w');
        const [t, e] = [g.block(), g.block()];
        g.br(g.cmp(op, cls, g.p(0), g.p(1)), t, e);
        g.at(t).ret(c(10, 'w'));
        g.at(e).ret(c(20, 'w'));
        funcs.push(g);
        protos += `uint32_t b_${op}_${cls}(${T}, ${T});\n`;
        for (const a of VALUES[cls]) for (const b of VALUES[cls].slice(0, 8)) {
          driver += `  printf("${op}_${cls}(${a},${b})=%u %u\\n", t_${op}_${cls}(${a}ull, ${b}ull), b_${op}_${cls}(${a}ull, ${b}ull));\n`;
          const r = refCmp(op, cls, a, b);
          expected.push(`${op}_${cls}(${a},${b})=${r} ${r ? 10 : 20}`);
        }
      }
      for (const un of ['neg', 'not'] as const) {
        const f = new FB(`t_${un}_${cls}`, [cls], cls);
        f.ret(f.un(un, cls, f.p(0)));
        funcs.push(f);
        protos += `${T} t_${un}_${cls}(${T});\n`;
        for (const a of VALUES[cls]) {
          driver += `  printf("${un}_${cls}(${a})=%llu\\n", (unsigned long long)t_${un}_${cls}(${a}ull));\n`;
          expected.push(`${un}_${cls}(${a})=${U(cls, un === 'neg' ? -a : ~a)}`);
        }
      }
    }
    const src = `${C_PRELUDE}${protos}int main(void) {\n${driver.slice(C_PRELUDE.length)}  return 0;\n}\n`;
    const { stdout } = await run(module(funcs), src);
    const got = stdout.split('\n');
    expect(got.filter((l, i) => l !== expected[i]).slice(0, 20)).toEqual([]);
    expect(got).toEqual(expected);
  }, 60000);
});
