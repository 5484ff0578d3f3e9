// Back-end tests: hand-written IR compiled by compileModule, assembled by GNU as, linked with a C
// driver by gcc, run natively. Expected values come from independent BigInt reference code.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { BinOp, Cls, CmpOp, Inst, Value } from '../compiler/ir/ir.js';
import { C_PRELUDE, FB, c, listing, module, run, sym } from './backend/build.js';
import { threadJumps } from '../compiler/x86/emit.js';
import type { MFunc, MInst } from '../compiler/x86/mach.js';
import { requireTools } from './tools.js';

requireTools('as', 'gcc');

const FIXTURE_S = join(import.meta.dirname, 'backend', 'fixtures.S');
const bits = (cls: Cls) => (cls === 'w' ? 32 : 64);
const U = (cls: Cls, x: bigint) => BigInt.asUintN(bits(cls), x);
const S = (cls: Cls, x: bigint) => BigInt.asIntN(bits(cls), x);
const ctype = (cls: Cls) => (cls === 'w' ? 'uint32_t' : 'uint64_t');

/** Reference semantics, written independently of compiler/passes/opt.ts. */
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

/** Runs a module with a C driver whose output lines are `name=value`, and returns them as a map. */
async function runMap(funcs: FB[], protos: string, body: string, more = {}, optimize = true): Promise<{ out: Record<string, string>; asm: string }> {
  const src = `${C_PRELUDE}#include <unistd.h>\n#include <cpuid.h>\n${protos}\nint main(void) {\n${body}\n  return 0;\n}\n`;
  const { stdout, asm } = await run(module(funcs, more), src, [FIXTURE_S], optimize);
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const k = line.indexOf('=');
    if (k > 0) out[line.slice(0, k)] = line.slice(k + 1);
  }
  return { out, asm };
}

describe('division by constants', () => {
  it('multiplies by the reciprocal, exactly for every dividend at the boundaries, signed and unsigned, w and l', async () => {
    const DIVISORS: Record<Cls, bigint[]> = {
      w: [2n, 3n, 4n, 5n, 6n, 7n, 10n, 25n, 641n, 12000n, 0x7fffffffn, 0x80000001n, 0xfffffffen, 0xffffffffn, U('w', -2n), U('w', -3n), U('w', -7n), U('w', -8n), U('w', -1000n), U('w', -0x7fffffffn)],
      l: [3n, 5n, 7n, 10n, 12000n, 1000000007n, 0x7fffffffn, 0x100000001n, 0x7fffffffffffffffn, 0x8000000000000001n, 0xfffffffffffffffen, 0xffffffffffffffffn, U('l', -3n), U('l', -7n), U('l', -8n), U('l', -1000000007n), U('l', -0x7fffffffffffffffn), 4n, 2n],
    };
    const funcs: FB[] = [];
    let protos = '';
    let driver = C_PRELUDE;
    const expected: string[] = [];
    let body = '';
    for (const cls of ['w', 'l'] as Cls[]) {
      const T = ctype(cls);
      const max = (1n << BigInt(bits(cls))) - 1n;
      const half = 1n << BigInt(bits(cls) - 1);
      DIVISORS[cls].forEach((d, di) => {
        for (const op of ['udiv', 'urem', 'sdiv', 'srem'] as BinOp[]) {
          const name = `dc_${op}_${cls}_${di}`;
          const f = new FB(name, [cls], cls);
          f.ret(f.bin(op, cls, f.p(0), c(d, cls)));
          funcs.push(f);
          protos += `${T} ${name}(${T});\n`;
          const xs = [0n, 1n, 2n, d - 1n, d, d + 1n, 2n * d - 1n, 2n * d, max, max - 1n, half, half - 1n, half + 1n, max - d, max - d + 1n, 12345678n, 0xdeadbeefn, 0x123456789abcdefn, half / d * d, (max / d) * d - 1n];
          for (const x0 of xs) {
            const x = U(cls, x0);
            if (traps(op, cls, x, d)) continue;
            body += `  printf("${name}(${x})=%llu\\n", (unsigned long long)${name}(${x}ull));\n`;
            expected.push(`${name}(${x})=${refBin(op, cls, x, d)}`);
          }
        }
      });
    }
    driver += `${protos}\nint main(void) {\n${body}  return 0;\n}\n`;
    const { stdout, asm } = await run(module(funcs), driver);
    expect(stdout.split('\n').filter(Boolean)).toEqual(expected);
    // No division instruction left, except for -1 (INT_MIN / -1 must trap) and unsigned powers of two (shifts).
    const divs = funcs.map((f) => f.f.name).filter((n) => /\t(i?div)[lq]/.test(funcAsm(asm, n)));
    expect(divs).toEqual(['dc_sdiv_w_13', 'dc_srem_w_13', 'dc_sdiv_l_11', 'dc_srem_l_11']);
  }, 120000);
});

describe('calls, recursion, spills', () => {
  it('passes 10 arguments both ways, recurses, and survives register pressure', async () => {
    // sum10: sum of a_i * (i + 1), mixing w and l parameters.
    const cls10: Cls[] = ['l', 'w', 'l', 'w', 'l', 'l', 'w', 'l', 'w', 'l'];
    const s10 = new FB('sum10', cls10, 'l');
    let acc = c(0);
    cls10.forEach((k, i) => {
      const x = k === 'w' ? s10.ext('l', s10.p(i), 4, true) : s10.p(i);
      acc = s10.bin('add', 'l', acc, s10.bin('mul', 'l', x, c(i + 1)));
    });
    s10.ret(acc);
    // call_sum10(x): our code calling our sum10 and C's c_sum10 with computed arguments.
    const cs = new FB('call_sum10', ['l'], 'l');
    const args = cls10.map((k, i) => {
      const v = cs.bin('add', 'l', cs.p(0), c(i));
      return k === 'w' ? cs.ext('w', v, 4, false) : v;
    });
    const r1 = cs.call('sum10', args, 'l')!;
    const r2 = cs.call('c_sum10', args, 'l')!;
    cs.ret(cs.bin('sub', 'l', r1, r2));
    // fib(n) recursive.
    const fib = new FB('fib', ['w'], 'w');
    const [small, big] = [fib.block(), fib.block()];
    fib.br(fib.cmp('slt', 'w', fib.p(0), c(2, 'w')), small, big);
    fib.at(small).ret(fib.p(0));
    fib.at(big);
    const f1 = fib.call('fib', [fib.bin('sub', 'w', fib.p(0), c(1, 'w'))], 'w')!;
    const f2 = fib.call('fib', [fib.bin('sub', 'w', fib.p(0), c(2, 'w'))], 'w')!;
    fib.ret(fib.bin('add', 'w', f1, f2));
    // spill20(p): 20 values live across a call that clobbers every caller-saved register.
    const sp = new FB('spill20', ['l'], 'l');
    const vals = Array.from({ length: 20 }, (_, i) => sp.load('l', sp.bin('add', 'l', sp.p(0), c(8 * i)), 8));
    sp.call('clobber_all', []);
    let r = c(0);
    for (let i = 19; i >= 0; i--) r = sp.bin('xor', 'l', sp.bin('mul', 'l', r, c(31)), sp.bin('add', 'l', vals[i], c(i)));
    sp.ret(r);
    const data = Array.from({ length: 20 }, (_, i) => BigInt(i * 1000003 + 17) ** 3n);
    let expect20 = 0n;
    for (let i = 19; i >= 0; i--) expect20 = BigInt.asUintN(64, (expect20 * 31n) ^ BigInt.asUintN(64, data[i] + BigInt(i)));
    // calls_in_loop(n): i and the accumulator live across calls in a loop.
    const cl = new FB('calls_in_loop', ['w'], 'l');
    const i = cl.local('w', c(0, 'w'));
    const a = cl.local('l', c(0));
    const [h, b, e] = [cl.block(), cl.block(), cl.block()];
    cl.jmp(h);
    cl.at(h).br(cl.cmp('slt', 'w', i.get(), cl.p(0)), b, e);
    cl.at(b);
    cl.call('clobber_all', []);
    const iv = i.get();
    const fv = cl.call('fib', [iv], 'w')!;
    a.set(cl.bin('add', 'l', a.get(), cl.ext('l', fv, 4, false)));
    i.set(cl.bin('add', 'w', iv, c(1, 'w')));
    cl.jmp(h);
    cl.at(e).ret(a.get());
    const protos = `uint64_t sum10(uint64_t, uint32_t, uint64_t, uint32_t, uint64_t, uint64_t, uint32_t, uint64_t, uint32_t, uint64_t);
uint64_t c_sum10(uint64_t a0, int32_t a1, uint64_t a2, int32_t a3, uint64_t a4, uint64_t a5, int32_t a6, uint64_t a7, int32_t a8, uint64_t a9) {
  return a0 + 2*(uint64_t)(int64_t)a1 + 3*a2 + 4*(uint64_t)(int64_t)a3 + 5*a4 + 6*a5 + 7*(uint64_t)(int64_t)a6 + 8*a7 + 9*(uint64_t)(int64_t)a8 + 10*a9;
}
uint64_t call_sum10(uint64_t); uint32_t fib(uint32_t); uint64_t spill20(uint64_t *); uint64_t calls_in_loop(uint32_t);
int64_t check_callee_saved(void *fn, uint64_t arg);
uint64_t data[20] = {${data.join('ull,')}ull};`;
    const body = `
  printf("sum10=%llu\\n", (unsigned long long)sum10(1, -2, 3, 4, 5, 6, 7, 8, 9, 10));
  printf("call_sum10=%lld\\n", (long long)call_sum10(100));
  printf("fib=%u\\n", fib(20));
  printf("spill20=%llu\\n", (unsigned long long)spill20(data));
  printf("preserved=%llu\\n", (unsigned long long)check_callee_saved((void *)spill20, (uint64_t)data));
  printf("calls_in_loop=%llu\\n", (unsigned long long)calls_in_loop(15));`;
    const { out, asm } = await runMap([s10, cs, fib, sp, cl], protos, body);
    // spill20 keeps 20 values across a call: only 5 callee-saved registers, so some go to the frame.
    const spillAsm = asm.slice(asm.indexOf('spill20:'), asm.indexOf('.Lspill20_end'));
    expect(spillAsm).toMatch(/\(%rbp\)/);
    for (const r of ['rbx', 'r12', 'r13', 'r14', 'r15']) expect(spillAsm).toContain(`pushq\t%${r}`);
    const fibs = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377];
    expect(out).toEqual({
      sum10: String(1 - 4 + 9 + 16 + 25 + 36 + 49 + 64 + 81 + 100),
      call_sum10: '0',
      fib: '6765',
      spill20: String(expect20),
      preserved: String(expect20),
      calls_in_loop: String(fibs.reduce((x, y) => x + y, 0)),
    });
  }, 60000);
});

describe('memory, select, indirect calls, phis', () => {
  it.each([true, false])('loads and stores of every width, select, function pointers, phi swaps, globals (optimize=%s)', async (optimize) => {
    const funcs: FB[] = [];
    let protos = '';
    let body = '';
    const expected: Record<string, string> = {};
    // Loads: bytes 0x80 0x81 ... at p; every width x signedness x class.
    const bytes = Array.from({ length: 24 }, (_, i) => (0x80 + i * 7) & 0xff);
    const le = (off: number, w: number) => bytes.slice(off, off + w).reduceRight((x, b) => (x << 8n) | BigInt(b), 0n);
    for (const w of [1, 2, 4, 8] as const) {
      for (const signed of [false, true]) {
        for (const cls of ['w', 'l'] as Cls[]) {
          const name = `ld${w}${signed ? 's' : 'u'}${cls}`;
          const f = new FB(name, ['l', 'l'], cls);
          // Address = p + i*w + 1: exercises base+index*scale+disp folding.
          const idx = f.bin('shl', 'l', f.p(1), c(Math.log2(w)));
          f.ret(f.load(cls, f.bin('add', 'l', f.bin('add', 'l', f.p(0), idx), c(1)), w, signed));
          funcs.push(f);
          protos += `uint64_t ${name}(uint8_t *, uint64_t);\n`;
          body += `  printf("${name}=%llu\\n", (unsigned long long)(${cls === 'w' ? 'uint32_t' : 'uint64_t'})${name}(bytes, 1));\n`;
          const raw = le(w + 1, w);
          const v = signed ? BigInt.asIntN(w * 8, raw) : raw;
          expected[name] = String(U(cls, w === 8 && cls === 'w' ? raw : v));
        }
      }
      // Store the low w bytes of a value; immediate and register forms.
      const st = new FB(`st${w}`, ['l', 'l'], undefined);
      st.store(st.bin('add', 'l', st.p(0), c(2)), st.p(1), w);
      st.store(st.p(0), c(-2), w);
      st.ret();
      funcs.push(st);
      protos += `void st${w}(uint8_t *, uint64_t);\n`;
      body += `  { uint8_t b[16]; memset(b, 0xAA, 16); st${w}(b, 0x0102030405060708ull); printf("st${w}="); for (int i = 0; i < 12; i++) printf("%02x", b[i]); printf("\\n"); }\n`;
      const buf = new Array(16).fill(0xaa);
      for (let i = 0; i < w; i++) buf[2 + i] = Number((0x0102030405060708n >> BigInt(8 * i)) & 0xffn);
      for (let i = 0; i < w; i++) buf[i] = Number((BigInt.asUintN(64, -2n) >> BigInt(8 * i)) & 0xffn);
      expected[`st${w}`] = buf.slice(0, 12).map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    // select with a fused compare and with a plain condition.
    const sel = new FB('sel', ['l', 'l', 'l', 'l'], 'l');
    sel.ret(sel.select('l', sel.cmp('slt', 'l', sel.p(0), sel.p(1)), sel.p(2), sel.p(3)));
    const sel2 = new FB('sel2', ['w', 'w', 'w'], 'w');
    sel2.ret(sel2.select('w', sel2.p(0), sel2.p(1), c(77, 'w')));
    funcs.push(sel, sel2);
    protos += 'uint64_t sel(int64_t, int64_t, uint64_t, uint64_t); uint32_t sel2(uint32_t, uint32_t, uint32_t);\n';
    body += '  printf("sel=%llu %llu %llu\\n", (unsigned long long)sel(-5, 3, 11, 22), (unsigned long long)sel(3, -5, 11, 22), (unsigned long long)sel(3, 3, 11, 22));\n';
    body += '  printf("sel2=%u %u\\n", sel2(0, 5, 0), sel2(9, 5, 0));\n';
    expected.sel = '11 22 22';
    expected.sel2 = '77 5';
    // Function pointers: call a C function through a pointer; hand C the address of ours.
    const sq = new FB('sq', ['l'], 'l', { exported: false });
    sq.ret(sq.bin('mul', 'l', sq.p(0), sq.p(0)));
    const cp = new FB('call_ptr', ['l', 'l'], 'l');
    cp.ret(cp.call(cp.p(0), [cp.p(1)], 'l'));
    const gf = new FB('get_sq', [], 'l');
    gf.ret(sym('sq'));
    funcs.push(sq, cp, gf);
    protos += 'uint64_t c_twice(uint64_t x) { return 2 * x; }\nuint64_t call_ptr(void *, uint64_t); void *get_sq(void);\n';
    body += '  printf("fnptr=%llu %llu\\n", (unsigned long long)call_ptr((void *)c_twice, 21), (unsigned long long)call_ptr(get_sq(), 12));\n';
    expected.fnptr = '42 144';
    // Iterative Fibonacci with a, b = b, a + b written as reassigned vregs: phis that swap.
    const fi = new FB('fib_iter', ['w'], 'l');
    const a = fi.copy('l', c(0));
    const b = fi.copy('l', c(1));
    const n = fi.copy('w', fi.p(0));
    const [h, bd, ex] = [fi.block(), fi.block(), fi.block()];
    fi.jmp(h);
    fi.at(h).br(n, bd, ex);
    fi.at(bd);
    const t = fi.bin('add', 'l', a, b);
    fi.assign(a, b);
    fi.assign(b, t);
    fi.assign(n, fi.bin('sub', 'w', n, c(1, 'w')));
    fi.jmp(h);
    fi.at(ex).ret(a);
    funcs.push(fi);
    protos += 'uint64_t fib_iter(uint32_t);\n';
    body += '  printf("fib_iter=%llu\\n", (unsigned long long)fib_iter(90));\n';
    expected.fib_iter = '2880067194370816120';
    // A global table of addresses in .data, read through a RIP-relative load; a .bss counter.
    const gt = new FB('global_sum', [], 'l');
    const p0 = gt.load('l', sym('gtab'), 8);
    const p1 = gt.load('l', sym('gtab', 8n), 8);
    const cnt = gt.load('l', sym('gcount'), 8);
    gt.store(sym('gcount'), gt.bin('add', 'l', cnt, c(1)), 8);
    gt.ret(gt.bin('add', 'l', gt.bin('add', 'l', gt.load('l', p0, 8), gt.load('w', p1, 4)), cnt));
    funcs.push(gt);
    protos += 'uint64_t global_sum(void);\n';
    body += '  global_sum(); printf("global_sum=%llu\\n", (unsigned long long)global_sum());\n';
    expected.global_sum = String(0x1122334455667788n + 0x99n + 1n);
    const bytesC = `uint8_t bytes[24] = {${bytes.join(',')}};\n`;
    const globals = [
      { name: 'gval', exported: false, section: 'rodata' as const, align: 8, size: 12, bytes: new Uint8Array([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x99, 0, 0, 0]), relocs: [] },
      { name: 'gtab', exported: true, section: 'data' as const, align: 8, size: 16, bytes: new Uint8Array(16), relocs: [{ offset: 0, width: 8 as const, sym: 'gval', addend: 0n }, { offset: 8, width: 8 as const, sym: 'gval', addend: 8n }] },
      { name: 'gcount', exported: false, section: 'bss' as const, align: 8, size: 8, relocs: [] },
    ];
    const { out } = await runMap(funcs, bytesC + protos, body, { globals }, optimize);
    expect(out).toEqual(expected);
  }, 60000);
});

describe('intrinsics', () => {
  it('memcpy, memset, memcmp, atomics, rdtsc, cpuid, syscall', async () => {
    const mc = new FB('do_memcpy', ['l', 'l', 'l'], undefined);
    mc.intrin('memcpy', [mc.p(0), mc.p(1), mc.p(2)]);
    mc.ret();
    const ms = new FB('do_memset', ['l', 'w', 'l'], undefined);
    ms.intrin('memset', [ms.p(0), ms.p(1), ms.p(2)]);
    ms.ret();
    const mp = new FB('do_memcmp', ['l', 'l', 'l'], 'w');
    mp.ret(mp.intrin('memcmp', [mp.p(0), mp.p(1), mp.p(2)], 'w'));
    const at = new FB('do_atomics', ['l'], 'l');
    // x starts at 5: xchg -> 9 (old 5), cmpxchg(9 -> 20) ok (old 9), cmpxchg(9 -> 30) fails (old 20),
    // fetch_add(+3) (old 20), store 100 then load.
    const o1 = at.intrin('atomic_xchg', [at.p(0), c(9)], 'l', 8)!;
    const o2 = at.intrin('atomic_cmpxchg', [at.p(0), c(9), c(20)], 'l', 8)!;
    const o3 = at.intrin('atomic_cmpxchg', [at.p(0), c(9), c(30)], 'l', 8)!;
    const o4 = at.intrin('atomic_fetch_add', [at.p(0), c(3)], 'l', 8)!;
    const o5 = at.intrin('atomic_load', [at.p(0)], 'l', 8)!;
    at.intrin('atomic_store', [at.p(0), c(100)], undefined, 8);
    const o6 = at.intrin('atomic_load', [at.p(0)], 'l', 8)!;
    let r = c(0);
    for (const o of [o1, o2, o3, o4, o5, o6]) r = at.bin('add', 'l', at.bin('mul', 'l', r, c(1000)), o);
    at.ret(r);
    const a8 = new FB('do_atomic8', ['l'], 'w');
    const b1 = a8.intrin('atomic_fetch_add', [a8.p(0), c(0x10, 'w')], 'w', 1)!;
    const b2 = a8.intrin('atomic_xchg', [a8.p(0), c(0x1ff, 'w')], 'w', 1)!;
    a8.ret(a8.bin('or', 'w', a8.bin('shl', 'w', b1, c(8, 'w')), b2));
    const ts = new FB('do_rdtsc', [], 'w');
    const t1 = ts.intrin('rdtsc', [], 'l')!;
    const t2 = ts.intrin('rdtsc', [], 'l')!;
    ts.ret(ts.bin('and', 'w', ts.cmp('uge', 'l', t2, t1), ts.cmp('ne', 'l', t1, c(0))));
    const cpu = new FB('do_cpuid', ['w', 'l'], undefined);
    cpu.intrin('cpuid', [cpu.p(0), c(0, 'w'), cpu.p(1)]);
    cpu.ret();
    const sc = new FB('do_getpid', [], 'l');
    sc.ret(sc.intrin('syscall', [c(39)], 'l'));
    const sw = new FB('do_write', ['l', 'l'], 'l');
    sw.ret(sw.intrin('syscall', [c(1), c(1), sw.p(0), sw.p(1)], 'l'));
    const protos = `void do_memcpy(void *, const void *, size_t); void do_memset(void *, uint32_t, size_t);
int32_t do_memcmp(const void *, const void *, size_t); uint64_t do_atomics(uint64_t *); uint32_t do_atomic8(uint8_t *);
uint32_t do_rdtsc(void); void do_cpuid(uint32_t, uint32_t *); int64_t do_getpid(void); int64_t do_write(const char *, size_t);
int sgn(int x) { return (x > 0) - (x < 0); }`;
    const body = `
  char a[32] = "hello, world", b[32];
  memset(b, 0, 32); do_memcpy(b, a, 13); printf("memcpy=%s\\n", b);
  do_memset(b + 2, 'x', 5); printf("memset=%s\\n", b);
  printf("memcmp=%d %d %d %d %d\\n", sgn(do_memcmp("abc", "abd", 3)), sgn(do_memcmp("abd", "abc", 3)), sgn(do_memcmp("abc", "abc", 3)),
         sgn(do_memcmp("a\\xff", "a\\x01", 2)), sgn(do_memcmp("x", "y", 0)));
  uint64_t x = 5; printf("atomics=%llu\\n", (unsigned long long)do_atomics(&x));
  uint8_t y = 0xf8; uint32_t r8 = do_atomic8(&y); printf("atomic8=%x %x\\n", r8, y);
  printf("rdtsc=%u\\n", do_rdtsc());
  uint32_t regs[4]; do_cpuid(0, regs); unsigned ea, eb, ec, ed; __cpuid(0, ea, eb, ec, ed);
  printf("cpuid=%d\\n", regs[0] == ea && regs[1] == eb && regs[2] == ec && regs[3] == ed);
  printf("getpid=%d\\n", do_getpid() == getpid());
  fflush(stdout); int64_t n = do_write("written\\n", 8); printf("write=%lld\\n", (long long)n);`;
    const { out } = await runMap([mc, ms, mp, at, a8, ts, cpu, sc, sw], protos, body);
    expect(out).toEqual({
      memcpy: 'hello, world',
      memset: 'hexxxxxworld',
      memcmp: '-1 1 0 1 0',
      atomics: String(5n * 10n ** 15n + 9n * 10n ** 12n + 20n * 10n ** 9n + 20n * 10n ** 6n + 23n * 1000n + 100n),
      atomic8: 'f808 ff',
      rdtsc: '1',
      cpuid: '1',
      getpid: '1',
      write: '8',
    });
  }, 60000);
});

/** The listing of one function, from its label to its end label. */
/** Jumps (in `asm`) to a block whose first instruction is itself a `jmp`: machine jump threading leaves none. */
function jumpsToJumps(asm: string): string[] {
  const lines = asm.split('\n').filter((l) => !/^\s*\.(loc|file)\b/.test(l));
  const firstAfter = new Map<string, string>();
  lines.forEach((l, k) => {
    const m = /^(\.L\w+):$/.exec(l);
    if (m) firstAfter.set(m[1], lines.slice(k + 1).find((x) => !/^\.L\w+:$/.test(x)) ?? '');
  });
  return lines.filter((l) => {
    const m = /^\tj\w+\t(\.L\w+)$/.exec(l);
    return m && /^\tjmp\t/.test(firstAfter.get(m[1]) ?? '');
  });
}

const funcAsm = (asm: string, name: string) => asm.slice(asm.indexOf(`\n${name}:`), asm.indexOf(`.L${name}_end:`));

describe('code shape', () => {
  it('keeps a loop-heavy function entirely in registers', async () => {
    // FNV-style hash over n u32 words plus two more accumulators: 8 values live in the loop.
    const f = new FB('hash_loop', ['l', 'l'], 'l');
    const h = f.local('l', c(0xcbf29ce484222325n));
    const s = f.local('l', c(0));
    const t = f.local('w', c(7, 'w'));
    const i = f.local('l', c(0));
    const [head, body, exit] = [f.block(), f.block(), f.block()];
    f.jmp(head);
    f.at(head).br(f.cmp('ult', 'l', i.get(), f.p(1)), body, exit);
    f.at(body);
    const iv = i.get();
    const word = f.load('l', f.bin('add', 'l', f.p(0), f.bin('shl', 'l', iv, c(2))), 4);
    h.set(f.bin('mul', 'l', f.bin('xor', 'l', h.get(), word), c(0x100000001b3n)));
    s.set(f.bin('add', 'l', s.get(), f.bin('sar', 'l', h.get(), c(7))));
    t.set(f.bin('xor', 'w', f.bin('shl', 'w', t.get(), c(1, 'w')), f.ext('w', word, 4, false)));
    i.set(f.bin('add', 'l', iv, c(1)));
    f.jmp(head);
    f.at(exit).ret(f.bin('add', 'l', f.bin('add', 'l', h.get(), s.get()), f.ext('l', t.get(), 4, false)));
    const words = Array.from({ length: 50 }, (_, k) => (k * 2654435761) >>> 0);
    let [hv, sv, tv] = [0xcbf29ce484222325n, 0n, 7n];
    for (const w of words) {
      hv = BigInt.asUintN(64, (hv ^ BigInt(w)) * 0x100000001b3n);
      sv = BigInt.asUintN(64, sv + BigInt.asUintN(64, BigInt.asIntN(64, hv) >> 7n));
      tv = BigInt.asUintN(32, (tv << 1n) ^ BigInt(w));
    }
    const { out, asm } = await runMap([f], `uint64_t hash_loop(uint32_t *, uint64_t);\nuint32_t words[50] = {${words.join('u,')}u};`,
      '  printf("hash=%llu\\n", (unsigned long long)hash_loop(words, 50));');
    expect(out.hash).toBe(String(BigInt.asUintN(64, hv + sv + tv)));
    const code = funcAsm(asm, 'hash_loop');
    expect(code).not.toMatch(/\(%rbp\)|\(%rsp\)/); // no stack traffic at all
    expect(code.match(/push/g)).toHaveLength(1); // only the frame pointer
    expect(code).not.toMatch(/\tmovq\t%r\w+, %r\w+\n\tjmp/); // no copy on the back edge
  }, 60000);

  it('indexes a global array absolutely (no lea), zero-extends only values not already zero-extended', async () => {
    const tab = { name: 'tab', exported: true, section: 'bss' as const, align: 4, size: 256, relocs: [] };
    const at = (f: FB, i: Value) => f.bin('add', 'l', sym('tab'), f.bin('shl', 'l', f.ext('l', i, 4, false), c(2)));
    // sum of tab[0..n): the index is a 32-bit add, already zero-extended: no movl before the load.
    const sum = new FB('tab_sum', ['w'], 'w');
    const s = sum.local('w', c(0, 'w'));
    const i = sum.local('w', c(0, 'w'));
    const [head, body, exit] = [sum.block(), sum.block(), sum.block()];
    sum.jmp(head);
    sum.at(head).br(sum.cmp('ult', 'w', i.get(), sum.p(0)), body, exit);
    sum.at(body);
    s.set(sum.bin('add', 'w', s.get(), sum.load('w', at(sum, i.get()), 4)));
    i.set(sum.bin('add', 'w', i.get(), c(1, 'w')));
    sum.jmp(head);
    sum.at(exit).ret(s.get());
    // Parameters (and phis of them) may carry garbage above bit 31: the C driver passes some.
    const set = new FB('tab_set', ['w', 'w'], undefined);
    set.store(at(set, set.p(0)), set.p(1), 4);
    set.ret();
    const get2 = new FB('tab_get2', ['w', 'w'], 'w');
    const [yes, no, join] = [get2.block(), get2.block(), get2.block()];
    get2.br(get2.p(1), yes, no);
    get2.at(yes).jmp(join);
    get2.at(no);
    const inc = get2.bin('add', 'w', get2.p(0), c(1, 'w'));
    get2.jmp(join);
    get2.at(join);
    const x = get2.phi('w', [{ block: yes, value: get2.p(0) }, { block: no, value: inc }]);
    get2.ret(get2.load('w', at(get2, x), 4));
    const { out, asm } = await runMap([sum, set, get2], 'extern uint32_t tab[64]; uint32_t tab_sum(uint32_t); void tab_set(uint64_t, uint32_t); uint32_t tab_get2(uint64_t, uint32_t);',
      '  for (int k = 0; k < 64; k++) tab_set(0xdead000000000000ull + ((uint64_t)k << 32) + k, k * 3 + 1);\n' +
      '  printf("sum=%u\\n", tab_sum(64));\n  printf("get2=%u %u\\n", tab_get2(0xbeef000000000005ull, 1), tab_get2(0xbeef000000000005ull, 0));',
      { globals: [tab] });
    expect(out).toEqual({ sum: String(Array.from({ length: 64 }, (_, k) => k * 3 + 1).reduce((a, b) => a + b)), get2: '16 19' });
    for (const fn of ['tab_sum', 'tab_set', 'tab_get2']) {
      expect(funcAsm(asm, fn)).toMatch(/tab\(,%r\w+,4\)/);
      expect(funcAsm(asm, fn)).not.toMatch(/leaq\ttab/);
    }
    expect(funcAsm(asm, 'tab_sum')).not.toMatch(/\tmovl\t%(e\w+|r\w+d), %(e\w+|r\w+d)\n\tmovl\ttab/);
    expect(funcAsm(asm, 'tab_set')).toMatch(/\tmovl\t%edi, %e\w+/); // the parameter is zero-extended
  }, 60000);

  it('tests bits with bt and test, not shift/and/test', async () => {
    // bit(x, n) = ((x >> n) & 1) != 0 ? 10 : 20 with a branch; mask(x) = (x & 6) == 0 ? 1 : 2 with a select.
    const mk = (cls: Cls) => {
      const f = new FB(`bit_${cls}`, [cls, cls], 'w');
      const [t, e] = [f.block(), f.block()];
      f.br(f.cmp('ne', cls, f.bin('and', cls, f.bin('shr', cls, f.p(0), f.p(1)), c(1, cls)), c(0, cls)), t, e);
      f.at(t).ret(c(10, 'w'));
      f.at(e).ret(c(20, 'w'));
      return f;
    };
    const m = new FB('mask', ['w'], 'w');
    m.ret(m.select('w', m.cmp('eq', 'w', m.bin('and', 'w', m.p(0), c(6, 'w')), c(0, 'w')), c(1, 'w'), c(2, 'w')));
    const cases: [bigint, bigint][] = [[5n, 0n], [5n, 1n], [5n, 2n], [1n << 40n, 40n], [1n << 40n, 104n], [0x8000000000000000n, 63n], [0x80000000n, 31n], [0x80000000n, 63n], [2n, 65n]];
    let body = '';
    const expected: Record<string, string> = {};
    cases.forEach(([x, n], k) => {
      body += `  printf("l${k}=%u\\n", bit_l(${x}ull, ${n}ull));\n  printf("w${k}=%u\\n", bit_w(${x & 0xffffffffn}u, ${n}u));\n`;
      expected[`l${k}`] = (x >> (n % 64n)) & 1n ? '10' : '20';
      expected[`w${k}`] = ((x & 0xffffffffn) >> (n % 32n)) & 1n ? '10' : '20';
    });
    body += '  printf("mask=%u %u %u\\n", mask(9), mask(2), mask(4));\n';
    expected.mask = '1 2 2';
    const { out, asm } = await runMap([mk('l'), mk('w'), m], 'uint32_t bit_l(uint64_t, uint64_t); uint32_t bit_w(uint32_t, uint32_t); uint32_t mask(uint32_t);', body);
    expect(out).toEqual(expected);
    expect(funcAsm(asm, 'bit_l')).toMatch(/\tbtq\t/);
    expect(funcAsm(asm, 'bit_w')).toMatch(/\tbtl\t/);
    expect(funcAsm(asm, 'bit_l')).not.toMatch(/shr|and/);
    expect(funcAsm(asm, 'mask')).toMatch(/\ttestl\t\$6, /);
    expect(funcAsm(asm, 'mask')).not.toMatch(/andl/);
  }, 60000);

  it('generates kernel-safe code: frame pointers, no red zone, no SSE, 16-byte aligned calls', async () => {
    const funcs: FB[] = [];
    for (let nargs = 0; nargs <= 9; nargs++) {
      // Frames of different sizes (allocas), calls with stack arguments, then an alignment probe.
      const f = new FB(`align_${nargs}`, [], 'w');
      const slot = f.alloca(8 * nargs + 8, 8);
      for (let k = 0; k < nargs; k++) f.store(f.bin('add', 'l', slot, c(8 * k)), c(k), 8);
      const args = Array.from({ length: nargs }, (_, k) => f.load('l', f.bin('add', 'l', slot, c(8 * k)), 8));
      f.call('take_args', args);
      const ok = f.call('check_stack_aligned', [], 'w')!;
      f.ret(ok);
      funcs.push(f);
    }
    let protos = 'int check_stack_aligned(void);\nvoid take_args() {}\n';
    let body = '';
    for (let n = 0; n <= 9; n++) {
      protos += `uint32_t align_${n}(void);\n`;
      body += `  printf("align_${n}=%u\\n", align_${n}());\n`;
    }
    const m = module(funcs);
    const { out } = await runMap(funcs, protos, body);
    for (let n = 0; n <= 9; n++) expect(out[`align_${n}`]).toBe('1');
    const asm = listing(m);
    expect(asm).not.toMatch(/%[xyz]mm|movs[sd]\b|cvt/);
    for (const f of funcs) {
      const code = funcAsm(asm, f.f.name);
      expect(code).toMatch(new RegExp(`${f.f.name}:\\n\\tpushq\\t%rbp\\n\\tmovq\\t%rsp, %rbp\\n`));
      // Red zone: every rbp-relative access is inside the frame the prologue reserved.
      const pushes = (code.match(/\tpushq\t%r(bx|1[2-5])\n/g) ?? []).length;
      const reserved = 8 * pushes + Number(/subq\t\$(\d+), %rsp/.exec(code)?.[1] ?? 0);
      for (const m of code.matchAll(/-(\d+)\(%rbp\)/g)) expect(Number(m[1])).toBeLessThanOrEqual(reserved);
      expect(code).not.toMatch(/-\d+\(%rsp\)/);
    }
  }, 60000);
});

describe('middle end', () => {
  it('mem2reg promotes locals to SSA values with phis', async () => {
    const { toSsa } = await import('../compiler/passes/ssa.js');
    const f = new FB('count', ['w'], 'w');
    const i = f.local('w', c(0, 'w'));
    const [h, b, e] = [f.block(), f.block(), f.block()];
    f.jmp(h);
    f.at(h).br(f.cmp('slt', 'w', i.get(), f.p(0)), b, e);
    f.at(b);
    i.set(f.bin('add', 'w', i.get(), c(1, 'w')));
    f.jmp(h);
    f.at(e).ret(i.get());
    toSsa(f.f);
    const ops = f.f.blocks.flatMap((bl) => bl.insts.map((x) => x.op));
    expect(ops).not.toContain('alloca');
    expect(ops).not.toContain('load');
    expect(ops).not.toContain('store');
    expect(ops).toContain('phi');
  });

  it('folds constants and branches exactly, but never a division that traps', async () => {
    const { optimize } = await import('../compiler/passes/opt.js');
    const { toSsa } = await import('../compiler/passes/ssa.js');
    const f = new FB('folded', [], 'w');
    const [t, e] = [f.block(), f.block()];
    const x = f.bin('add', 'w', c(0x7fffffff, 'w'), c(1, 'w')); // wraps to INT_MIN
    f.br(f.cmp('slt', 'w', x, c(0, 'w')), t, e);
    f.at(t).ret(f.bin('sar', 'w', x, c(33, 'w'))); // count masked to 1
    f.at(e).ret(c(0, 'w'));
    toSsa(f.f);
    optimize(f.f);
    expect(f.f.blocks).toHaveLength(1);
    expect(f.f.blocks[0].insts).toHaveLength(0);
    expect(f.f.blocks[0].term).toEqual({ op: 'ret', value: c(0xc0000000, 'w') });
    for (const [op, a, b] of [['sdiv', 7n, 0n], ['urem', 7n, 0n], ['sdiv', -(2n ** 31n), -1n], ['srem', -(2n ** 31n), -1n]] as const) {
      const g = new FB('trap', [], 'w');
      g.ret(g.bin(op, 'w', c(a, 'w'), c(b, 'w')));
      toSsa(g.f);
      optimize(g.f);
      expect(g.f.blocks[0].insts.map((i) => i.op)).toEqual(['bin']);
    }
  });

  it('value numbering merges equal pure expressions; loads only with no store, call or volatile access between', async () => {
    const { optimize } = await import('../compiler/passes/opt.js');
    const { toSsa } = await import('../compiler/passes/ssa.js');
    const opt = (f: FB) => (toSsa(f.f), optimize(f.f), f.f.blocks.flatMap((b) => b.insts));
    // (a + b) * (b + a) across two blocks: one add.
    const g = new FB('g', ['w', 'w'], 'w');
    const s1 = g.bin('add', 'w', g.p(0), g.p(1));
    const [t, e] = [g.block(), g.block()];
    g.br(g.cmp('ult', 'w', s1, c(10, 'w')), t, e);
    g.at(t).ret(g.bin('mul', 'w', s1, g.bin('add', 'w', g.p(1), g.p(0))));
    g.at(e).ret(c(0, 'w'));
    expect(opt(g).filter((i) => i.op === 'bin' && i.bin === 'add')).toHaveLength(1);
    // load p; load p -> one load; store p, v; load p -> v.
    const l = new FB('l', ['l'], 'l');
    const x = l.load('l', l.p(0), 8);
    l.store(l.bin('add', 'l', l.p(0), c(8)), c(5), 8);
    l.store(l.p(0), l.bin('add', 'l', x, l.load('l', l.p(0), 8)), 8);
    l.ret(l.bin('add', 'l', x, l.load('l', l.p(0), 8)));
    expect(opt(l).filter((i) => i.op === 'load')).toHaveLength(2); // reloaded after the first store
    const fw = new FB('fw', ['l', 'l'], 'l');
    fw.store(fw.p(0), fw.p(1), 8);
    fw.ret(fw.load('l', fw.p(0), 8));
    expect(opt(fw).filter((i) => i.op === 'load')).toHaveLength(0);
    // Must not fire: across a store elsewhere, a call, an intrinsic, a volatile load; a narrower reload.
    const between: [string, (f: FB) => void][] = [
      ['store', (f) => f.store(f.p(1), c(1), 8)],
      ['call', (f) => f.call('ext_fn', [], 'l')],
      ['intrinsic', (f) => f.intrin('atomic_store', [f.p(1), c(1)], undefined, 8)],
      ['volatile', (f) => f.load('l', f.p(1), 8, false, true)],
    ];
    for (const [, mid] of between) {
      const f = new FB('m', ['l', 'l'], 'l');
      const a = f.load('l', f.p(0), 8);
      mid(f);
      f.ret(f.bin('add', 'l', a, f.load('l', f.p(0), 8)));
      expect(opt(f).filter((i) => i.op === 'load' && !i.volatile)).toHaveLength(2);
    }
    const vol = new FB('vol', ['l'], 'l');
    vol.ret(vol.bin('add', 'l', vol.load('l', vol.p(0), 8, false, true), vol.load('l', vol.p(0), 8, false, true)));
    expect(opt(vol).filter((i) => i.op === 'load')).toHaveLength(2);
    const nar = new FB('nar', ['l', 'w'], 'w');
    nar.store(nar.p(0), nar.p(1), 4);
    nar.ret(nar.load('w', nar.p(0), 1));
    expect(opt(nar).filter((i) => i.op === 'load')).toHaveLength(1);
  });

  it('hoists loop invariants (and header loads of store-free loops), never a division or a load past a store', async () => {
    const { optimize } = await import('../compiler/passes/opt.js');
    const { toSsa } = await import('../compiler/passes/ssa.js');
    // for (i = 0; i < *n; i++) { s += (a * b) + p[i]; if (store) q[0] = s; d = a / b }
    const build = (withStore: boolean) => {
      const f = new FB(withStore ? 'loop_st' : 'loop', ['l', 'l', 'l', 'l', 'l'], 'l');
      const s = f.local('l', c(0));
      const i = f.local('l', c(0));
      const [h, body, exit] = [f.block(), f.block(), f.block()];
      f.jmp(h);
      f.at(h).br(f.cmp('ult', 'l', i.get(), f.load('l', f.p(4), 8)), body, exit);
      f.at(body);
      const inv = f.bin('mul', 'l', f.p(0), f.p(1));
      const q = f.bin('udiv', 'l', f.p(0), f.p(1)); // may trap (b = 0): stays in the loop
      s.set(f.bin('add', 'l', f.bin('add', 'l', s.get(), inv), f.bin('add', 'l', q, f.load('l', f.bin('add', 'l', f.p(2), f.bin('shl', 'l', i.get(), c(3))), 8))));
      if (withStore) f.store(f.p(3), c(1), 8); // q = n in the call below: the loop then stops
      i.set(f.bin('add', 'l', i.get(), c(1)));
      f.jmp(h);
      f.at(exit).ret(s.get());
      toSsa(f.f);
      optimize(f.f);
      return f;
    };
    const { loopDepths } = await import('../compiler/ir/cfg.js');
    const inLoop = (f: FB) => {
      const depth = loopDepths(f.f);
      return f.f.blocks.filter((b) => depth[b.id] > 0).flatMap((b) => b.insts);
    };
    const plain = inLoop(build(false));
    expect(plain.some((i) => i.op === 'bin' && i.bin === 'mul')).toBe(false);
    expect(plain.some((i) => i.op === 'bin' && i.bin === 'udiv')).toBe(true);
    expect(plain.filter((i) => i.op === 'load')).toHaveLength(1); // p[i] only: *n is hoisted
    const st = inLoop(build(true));
    expect(st.some((i) => i.op === 'bin' && i.bin === 'mul')).toBe(false);
    expect(st.filter((i) => i.op === 'load')).toHaveLength(2); // *n may change through q
    // And the code still computes the same thing (b = 0 never reached when the loop runs 0 times).
    const { out } = await runMap([build(false), build(true)], 'uint64_t loop(uint64_t, uint64_t, uint64_t *, uint64_t *, uint64_t *); uint64_t loop_st(uint64_t, uint64_t, uint64_t *, uint64_t *, uint64_t *);',
      '  uint64_t p[4] = {1, 2, 3, 4}; uint64_t n = 4, z = 0;\n  uint64_t r1 = loop(7, 3, p, 0, &n), r2 = loop(7, 0, p, 0, &z), r3 = loop_st(7, 3, p, &n, &n);\n' +
      '  printf("r=%llu %llu %llu\\n", (unsigned long long)r1, (unsigned long long)r2, (unsigned long long)r3);');
    // loop: 4 * (21 + 2) + 10; loop_st: one iteration, 21 + 2 + 1.
    expect(out.r).toBe(`${4 * 23 + 10} 0 ${21 + 2 + 1}`);
  }, 60000);

  it('hoists a module variable read anywhere in a store-free loop, not when the loop stores', async () => {
    const { optimize } = await import('../compiler/passes/opt.js');
    const { toSsa } = await import('../compiler/passes/ssa.js');
      const { loopDepths } = await import('../compiler/ir/cfg.js');
    const build = (store: boolean) => {
      // for (i = 0; i < n; i++) if (p[i] != 0) s += gv;   (+ gw = i when `store`)
      const f = new FB('gl', ['l', 'l'], 'l');
      const s = f.local('l', c(0));
      const i = f.local('l', c(0));
      const [h, body, add, next, exit] = [f.block(), f.block(), f.block(), f.block(), f.block()];
      f.jmp(h);
      f.at(h).br(f.cmp('ult', 'l', i.get(), f.p(1)), body, exit);
      f.at(body).br(f.load('l', f.bin('add', 'l', f.p(0), f.bin('shl', 'l', i.get(), c(3))), 8), add, next);
      f.at(add);
      s.set(f.bin('add', 'l', s.get(), f.load('l', sym('gv'), 8)));
      if (store) f.store(sym('gw'), i.get(), 8);
      f.jmp(next);
      f.at(next);
      i.set(f.bin('add', 'l', i.get(), c(1)));
      f.jmp(h);
      f.at(exit).ret(s.get());
      toSsa(f.f);
      optimize(f.f);
      const depth = loopDepths(f.f);
      return f.f.blocks.filter((b) => depth[b.id] > 0).flatMap((b) => b.insts).filter((x) => x.op === 'load' && x.addr.kind === 'sym');
    };
    expect(build(false)).toHaveLength(0);
    expect(build(true)).toHaveLength(1);
  });

  it('loads a wide constant once before a call-free loop, not in a loop with a call; a division by one stays a multiply', async () => {
    const { optimize, hoistLoopConstants } = await import('../compiler/passes/opt.js');
    const { toSsa } = await import('../compiler/passes/ssa.js');
    const { loopDepths } = await import('../compiler/ir/cfg.js');
    const { instUses } = await import('../compiler/ir/walk.js');
    const K = 0x100000001b3n;
    const D = 0x123456789an; // wide too: the divisor must stay a constant for the multiply-high
    // h = basis; for (i = 0; i < n; i++) { h = (h ^ p[i]) * K; q += h / D; if (call) h = ident(h) } return h ^ q
    const build = (call: boolean) => {
      const f = new FB(call ? 'fnv_call' : 'fnv', ['l', 'l'], 'l');
      const h = f.local('l', c(0xcbf29ce484222325n));
      const q = f.local('l', c(0));
      const i = f.local('l', c(0));
      const [hd, body, exit] = [f.block(), f.block(), f.block()];
      f.jmp(hd);
      f.at(hd).br(f.cmp('ult', 'l', i.get(), f.p(1)), body, exit);
      f.at(body);
      h.set(f.bin('mul', 'l', f.bin('xor', 'l', h.get(), f.load('l', f.bin('add', 'l', f.p(0), f.bin('shl', 'l', i.get(), c(3))), 8)), c(K)));
      q.set(f.bin('add', 'l', q.get(), f.bin('udiv', 'l', h.get(), c(D))));
      if (call) h.set(f.call('ident', [h.get()], 'l')!);
      i.set(f.bin('add', 'l', i.get(), c(1)));
      f.jmp(hd);
      f.at(exit).ret(f.bin('xor', 'l', h.get(), q.get()));
      return f;
    };
    const ident = () => {
      const f = new FB('ident', ['l'], 'l', { inline: 'never' });
      f.ret(f.p(0));
      return f;
    };
    const wideInLoop = (call: boolean, value: bigint) => {
      const f = build(call).f;
      toSsa(f);
      optimize(f);
      hoistLoopConstants(f);
      const depth = loopDepths(f);
      return f.blocks.filter((b) => depth[b.id] > 0).flatMap((b) => b.insts).flatMap(instUses).filter((v) => v.kind === 'const' && v.value === value).length;
    };
    expect(wideInLoop(false, K)).toBe(0);
    expect(wideInLoop(true, K)).toBe(1);
    expect(wideInLoop(false, D)).toBe(1);
    const p = [1n, 0xffffffffffffffffn, 0x8000000000000000n, 12345678901234n, 7n];
    let h = 0xcbf29ce484222325n;
    let q = 0n;
    for (const x of p) {
      h = BigInt.asUintN(64, (h ^ x) * K);
      q = BigInt.asUintN(64, q + h / D);
    }
    const { out, asm } = await runMap([build(false), build(true), ident()], 'uint64_t fnv(uint64_t *, uint64_t); uint64_t fnv_call(uint64_t *, uint64_t);',
      `  uint64_t p[5] = {${p.map((x) => `${x}ull`).join(', ')}};\n  printf("a=%llu\\nb=%llu\\n", (unsigned long long)fnv(p, 5), (unsigned long long)fnv_call(p, 5));`);
    expect(out.a).toBe(String(h ^ q));
    expect(out.b).toBe(String(h ^ q));
    expect(asm).not.toMatch(/\bdivq\b/);
  }, 60000);

  it('a division by zero or INT_MIN / -1 traps at run time (SIGFPE)', async () => {
    for (const [op, a, b] of [['udiv', 7n, 0n], ['srem', -(2n ** 63n), -1n]] as const) {
      const g = new FB('trap', [], 'l');
      g.ret(g.bin(op, 'l', c(a), c(b)));
      const src = `${C_PRELUDE}uint64_t trap(void);\nint main(void) { printf("%llu\\n", (unsigned long long)trap()); return 0; }\n`;
      await expect(run(module([g]), src)).rejects.toThrow(/SIGFPE/);
    }
  }, 60000);

  it('inlines @inline and small functions, not recursive ones, and drops dead local functions', async () => {
    const add3 = new FB('add3', ['w'], 'w', { exported: false, inline: 'auto' });
    add3.ret(add3.bin('add', 'w', add3.p(0), c(3, 'w')));
    const big = new FB('big', ['w'], 'w', { exported: false, inline: 'always' });
    let v = big.p(0);
    for (let k = 0; k < 30; k++) v = big.bin(k % 2 ? 'xor' : 'mul', 'w', v, c(k + 3, 'w'));
    big.ret(v);
    const rec = new FB('rec', ['w'], 'w', { exported: false, inline: 'always' });
    const [base, step] = [rec.block(), rec.block()];
    rec.br(rec.p(0), step, base);
    rec.at(base).ret(c(0, 'w'));
    rec.at(step).ret(rec.bin('add', 'w', rec.call('rec', [rec.bin('sub', 'w', rec.p(0), c(1, 'w'))], 'w')!, c(2, 'w')));
    const top = new FB('top', ['w'], 'w');
    const a = top.call('add3', [top.p(0)], 'w')!;
    const b = top.call('big', [a], 'w')!;
    top.ret(top.bin('add', 'w', b, top.call('rec', [c(5, 'w')], 'w')!));
    let ref = 10 + 3;
    for (let k = 0; k < 30; k++) ref = k % 2 ? (ref ^ (k + 3)) >>> 0 : Math.imul(ref, k + 3) >>> 0;
    const { out, asm } = await runMap([add3, big, rec, top], 'uint32_t top(uint32_t);', '  printf("top=%u\\n", top(10));');
    expect(out.top).toBe(String((ref + 10) >>> 0));
    const code = funcAsm(asm, 'top');
    expect(code).not.toMatch(/call\tadd3|call\tbig/);
    expect(code).toMatch(/call\trec/);
    expect(asm).not.toMatch(/^add3:|^big:/m);
  }, 60000);
});

describe('inlining heuristics', () => {
  it('inlines a large local function called once, not when called twice or exported, nor one reading its frame', async () => {
    const { inlineFuncs, liveFunctions, INLINE_THRESHOLD } = await import('../compiler/passes/inline.js');
    const { moduleGraph, referenced } = await import('../compiler/passes/callgraph.js');
    const { toSsa } = await import('../compiler/passes/ssa.js');
    const body = (name: string, more: Partial<import('../compiler/ir/ir.js').Func> = {}) => {
      const g = new FB(name, ['w'], 'w', { exported: false, inline: 'auto', ...more });
      let v = g.p(0);
      for (let k = 0; k < INLINE_THRESHOLD + 20; k++) v = g.bin(k % 2 ? 'xor' : 'mul', 'w', v, c(k + 3, 'w'));
      g.ret(v);
      return g;
    };
    const once = body('once');
    const twice = body('twice');
    const pub = body('pub', { exported: true });
    const frame = new FB('frame', ['w'], 'l', { exported: false, inline: 'auto' });
    frame.ret(frame.bin('add', 'l', frame.intrin('frame_address', [], 'l')!, frame.ext('l', frame.p(0), 4, false)));
    const top = new FB('top2', ['w'], 'w');
    const a = top.call('once', [top.p(0)], 'w')!;
    const b = top.bin('add', 'w', top.call('twice', [a], 'w')!, top.call('twice', [top.p(0)], 'w')!);
    top.call('frame', [b], 'l');
    top.ret(top.call('pub', [b], 'w'));
    const m = module([once, twice, pub, frame, top]);
    const graph = moduleGraph(m);
    m.funcs.forEach(toSsa);
    inlineFuncs(m.funcs, { graph, barred: graph.recursive });
    const calls = top.f.blocks.flatMap((bl) => bl.insts).flatMap((i) => (i.op === 'call' && i.callee.kind === 'sym' ? [i.callee.name] : []));
    expect(calls.sort()).toEqual(['frame', 'pub', 'twice', 'twice']);
    expect([...liveFunctions(m, referenced)]).not.toContain('once');
  });
});

describe('listings', () => {
  it('every intrinsic assembles with GNU as to the bytes our assembler produces', async () => {
    const { execa } = await import('execa');
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { compileModule } = await import('../compiler/driver/backend.js');
    const { formatListing } = await import('../compiler/asm/listing.js');
    const { assemble } = await import('../compiler/asm/assemble.js');
    const f = new FB('all_intrinsics', ['w', 'l', 'l'], 'l', { exported: true });
    const [port, addr, v] = [f.p(0), f.p(1), f.p(2)];
    let acc = c(0);
    const use = (x: typeof acc | undefined) => (acc = f.bin('xor', 'l', acc, x!.kind === 'vreg' && x!.cls === 'w' ? f.ext('l', x!, 4, false) : x!));
    for (const n of ['cli', 'sti', 'hlt', 'pause', 'mfence', 'lfence', 'sfence', 'barrier']) f.intrin(n, []);
    for (const n of ['inb', 'inw', 'inl']) {
      use(f.intrin(n, [port], 'w'));
      use(f.intrin(n, [c(0x60, 'w')], 'w'));
    }
    for (const n of ['outb', 'outw', 'outl']) {
      f.intrin(n, [port, f.ext('w', v, 4, false)]);
      f.intrin(n, [c(0x80, 'w'), c(1, 'w')]);
    }
    use(f.intrin('rdmsr', [c(0xc0000080, 'w')], 'l'));
    f.intrin('wrmsr', [c(0xc0000080, 'w'), v]);
    for (const n of ['read_cr0', 'read_cr2', 'read_cr3', 'read_cr4']) use(f.intrin(n, [], 'l'));
    for (const n of ['write_cr0', 'write_cr3', 'write_cr4']) f.intrin(n, [v]);
    for (const n of ['invlpg', 'lgdt', 'lidt']) f.intrin(n, [addr]);
    f.intrin('ltr', [c(0x28, 'w')]);
    use(f.intrin('rdtsc', [], 'l'));
    use(f.intrin('read_rflags', [], 'l'));
    f.intrin('write_rflags', [v]);
    use(f.intrin('read_gs_u64', [c(0)], 'l'));
    use(f.intrin('read_gs_u64', [c(72)], 'l'));
    use(f.intrin('read_gs_u64', [addr], 'l'));
    f.intrin('cpuid', [c(1, 'w'), c(0, 'w'), addr]);
    use(f.intrin('frame_address', [], 'l'));
    f.intrin('memcpy', [addr, v, c(16)]);
    f.intrin('memset', [addr, c(0, 'w'), v]);
    use(f.intrin('memcmp', [addr, v, c(4)], 'w'));
    for (const w of [1, 2, 4, 8] as const) {
      const cls = w === 8 ? 'l' : 'w';
      use(f.intrin('atomic_load', [addr], cls, w));
      f.intrin('atomic_store', [addr, c(1, cls)], undefined, w);
      use(f.intrin('atomic_xchg', [addr, c(2, cls)], cls, w));
      use(f.intrin('atomic_cmpxchg', [addr, c(2, cls), c(3, cls)], cls, w));
      use(f.intrin('atomic_fetch_add', [addr, c(4, cls)], cls, w));
      f.intrin('atomic_fetch_add', [addr, c(5, cls)], cls, w); // old value unused: lock add
      f.intrin('atomic_fetch_add', [addr, cls === 'l' ? v : f.ext('w', v, 4, false)], cls, w);
    }
    // Read-modify-write memory operands at every width, register and immediate sources (each at
    // its own address: a store's value would be forwarded to the next load of the same one).
    let off = 0;
    const next = () => f.bin('add', 'l', addr, c((off += 8)));
    for (const w of [1, 2, 4, 8] as const) {
      const cls = w === 8 ? 'l' : 'w';
      const src = cls === 'l' ? v : f.ext('w', v, 4, false);
      for (const [op, b] of [['add', src], ['sub', c(3, cls)], ['or', c(0x40, cls)], ['xor', src], ['and', c(-2, cls)]] as const) {
        const at = next();
        f.store(at, f.bin(op, cls, f.load(cls, at, w), b), w);
      }
      for (const un of ['neg', 'not'] as const) {
        const at = next();
        f.store(at, f.un(un, cls, f.load(cls, at, w)), w);
      }
    }
    for (const sh of ['shl', 'shr', 'sar'] as const) {
      const at = next();
      f.store(at, f.bin(sh, 'l', f.load('l', at, 8), c(5)), 8);
    }
    use(f.intrin('syscall', [c(60), v, v, v, v, v, v], 'l'));
    f.ret(acc);
    const items = compileModule(module([f]));
    const dir = mkdtempSync(join(tmpdir(), 'backend-intrin-'));
    writeFileSync(join(dir, 'a.s'), formatListing(items));
    await execa('as', ['--64', '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
    await execa('objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')]);
    const ours = assemble(items, 'intrinsics').sections.find((s) => s.name === '.text')!.data;
    expect(Buffer.from(ours).toString('hex')).toBe(readFileSync(join(dir, 'a.bin')).toString('hex'));
    const asm = formatListing(items);
    for (const m of ['pushfq', 'popfq', '%gs:72', '%gs:(%', 'inb', 'outl', 'rdmsr', 'wrmsr', 'cr3', 'invlpg', 'lgdt', 'lidt', 'ltr', 'cpuid', 'lock cmpxchgb', 'lock xaddq', 'lock addb', 'lock addq', 'addw\t%', 'subb\t$3', 'notw\t', 'sarq\t$5, ', 'xchgw', 'rep movsb', 'rep stosb', 'repe cmpsb', 'syscall'])
      expect(asm).toContain(m);
  }, 60000);
});

describe('folding interactions', () => {
  it('an add of two loads used as a store address is computed once, correctly', async () => {
    // store8(load(pp) + load(pi), v): the add could become an address or read memory, not both.
    const f = new FB('store_at', ['l', 'l', 'w'], undefined);
    f.store(f.bin('add', 'l', f.load('l', f.p(0), 8), f.load('l', f.p(1), 8)), f.p(2), 1);
    f.ret();
    const g = new FB('sum_loads', ['l', 'l'], 'l');
    g.ret(g.bin('sub', 'l', g.load('l', g.p(0), 8), g.bin('add', 'l', g.load('l', g.p(1), 8), g.load('l', g.p(0), 8))));
    const { out } = await runMap([f, g], 'void store_at(uint8_t **, uint64_t *, uint32_t); int64_t sum_loads(int64_t *, int64_t *);',
      '  uint8_t buf[8] = {0}; uint8_t *p = buf; uint64_t i = 5; store_at(&p, &i, 0x1ab);\n' +
      '  printf("buf=%d %d\\n", buf[5], buf[4]);\n  int64_t x = 100, y = 7; printf("sum=%lld\\n", (long long)sum_loads(&x, &y));');
    expect(out).toEqual({ buf: '171 0', sum: '-7' });
  }, 60000);
});

describe('load reuse across blocks', () => {
  // x = *p; if (c) { [mid] } y = *p (at the join, or in the branch); return x + y.
  const shape = (name: string, mid: 'none' | 'store' | 'call' | 'alias', where: 'join' | 'branch') => {
    const f = new FB(name, ['l', 'l', 'w'], 'l');
    const x = f.load('l', f.p(0), 8);
    const [t, j] = [f.block(), f.block()];
    f.br(f.p(2), t, j);
    f.at(t);
    if (mid === 'store') f.store(f.p(0), c(9), 8);
    if (mid === 'alias') f.store(f.p(1), c(9), 8); // p1 may be p0
    if (mid === 'call') f.call('ext_fn', [], 'l');
    const yb = where === 'branch' ? f.load('l', f.p(0), 8) : undefined;
    f.jmp(j);
    f.at(j);
    const y = yb ? f.phi('l', [{ block: 0, value: c(0) }, { block: t, value: yb }]) : f.load('l', f.p(0), 8);
    f.ret(f.bin('add', 'l', x, y));
    return f;
  };
  const loads = async (f: FB) => {
    const { optimize } = await import('../compiler/passes/opt.js');
    const { toSsa } = await import('../compiler/passes/ssa.js');
    toSsa(f.f);
    optimize(f.f);
    return f.f.blocks.flatMap((b) => b.insts).filter((i) => i.op === 'load').length;
  };

  it('reuses a dominating load when no path between has a store, call or intrinsic', async () => {
    expect(await loads(shape('j', 'none', 'join'))).toBe(1);
    expect(await loads(shape('b', 'none', 'branch'))).toBe(1);
    // A store, a call, or a store through another pointer on one path: reloaded.
    for (const mid of ['store', 'call', 'alias'] as const) expect(await loads(shape(mid, mid, 'join'))).toBe(2);
    expect(await loads(shape('ba', 'alias', 'branch'))).toBe(2);
    expect(await loads(shape('bs', 'store', 'branch'))).toBe(1); // the stored value is forwarded
  });

  it('not into a loop that calls or stores, only into one that does neither', async () => {
    // x = *p; for (i = 0; i < n; i++) { s += *p; [mid] } return s + x
    const build = (name: string, mid: 'none' | 'call' | 'alias' | 'pause') => {
      const f = new FB(name, ['l', 'l', 'l'], 'l');
      const x = f.load('l', f.p(0), 8);
      const s = f.local('l', c(0));
      const i = f.local('l', c(0));
      const [h, body, exit] = [f.block(), f.block(), f.block()];
      f.jmp(h);
      f.at(h).br(f.cmp('ult', 'l', i.get(), f.p(2)), body, exit);
      f.at(body);
      s.set(f.bin('add', 'l', s.get(), f.load('l', f.p(0), 8)));
      if (mid === 'call') f.call('bump', [f.p(0)]);
      if (mid === 'alias') f.store(f.p(1), f.bin('add', 'l', f.load('l', f.p(1), 8), c(1)), 8);
      if (mid === 'pause') f.intrin('pause', []);
      i.set(f.bin('add', 'l', i.get(), c(1)));
      f.jmp(h);
      f.at(exit).ret(f.bin('add', 'l', s.get(), x));
      return f;
    };
    const count = async (f: FB) => {
      const { optimize } = await import('../compiler/passes/opt.js');
      const { toSsa } = await import('../compiler/passes/ssa.js');
      const { loopDepths } = await import('../compiler/ir/cfg.js');
      const g = structuredClone(f.f);
      toSsa(g);
      optimize(g);
      const depth = loopDepths(g);
      return g.blocks.filter((b) => depth[b.id] > 0).flatMap((b) => b.insts).filter((i) => i.op === 'load' && i.addr.kind === 'vreg' && i.addr.id === 0).length;
    };
    expect(await count(build('plain', 'none'))).toBe(0);
    expect(await count(build('calls', 'call'))).toBe(1);
    expect(await count(build('alias', 'alias'))).toBe(1);
    expect(await count(build('pauses', 'pause'))).toBe(1);
    // And at run time: p1 == p0 (the store through p1 changes *p0 each iteration), and a callee that bumps *p.
    const bump = new FB('bump', ['l'], undefined);
    bump.store(bump.p(0), bump.bin('add', 'l', bump.load('l', bump.p(0), 8), c(10)), 8);
    bump.ret();
    const j = shape('jn', 'alias', 'join');
    const { out } = await runMap([build('calls', 'call'), build('alias', 'alias'), j, bump],
      'uint64_t calls(uint64_t *, uint64_t *, uint64_t); uint64_t alias(uint64_t *, uint64_t *, uint64_t); uint64_t jn(uint64_t *, uint64_t *, uint32_t); void bump(uint64_t *);',
      '  uint64_t a = 1; uint64_t r1 = calls(&a, 0, 3);\n  uint64_t b = 1; uint64_t r2 = alias(&b, &b, 3);\n  uint64_t d = 1; uint64_t r3 = jn(&d, &d, 1);\n' +
      '  printf("r=%llu %llu %llu\\n", (unsigned long long)r1, (unsigned long long)r2, (unsigned long long)r3);');
    // calls: s = 1 + 11 + 21, + x = 1; alias: s = 1 + 2 + 3, + 1; jn: 1 + 9.
    expect(out.r).toBe(`${1 + 11 + 21 + 1} ${1 + 2 + 3 + 1} 10`);
  }, 60000);
});

describe('read-modify-write memory operands', () => {
  it('applies an operation to memory in place only when nothing else sees the loaded value or the memory between', async () => {
    const count = { name: 'count', exported: true, section: 'bss' as const, align: 8, size: 8, relocs: [] };
    const fns: FB[] = [];
    const fn = (name: string, params: Cls[], ret: Cls | undefined, body: (f: FB) => Value | undefined) => {
      const f = new FB(name, params, ret);
      f.ret(body(f));
      fns.push(f);
    };
    const field = (f: FB, k = 8) => f.bin('add', 'l', f.p(0), c(k));
    // Fire: count++ (w), p->f |= v (l), u8 field += v through a truncation, -p->f, p->f >>= 3, v ^ p->f.
    fn('inc', [], undefined, (f) => (f.store(sym('count'), f.bin('add', 'w', f.load('w', sym('count'), 4), c(1, 'w')), 4), undefined));
    fn('orf', ['l', 'l'], undefined, (f) => (f.store(field(f), f.bin('or', 'l', f.load('l', field(f), 8), f.p(1)), 8), undefined));
    fn('addb', ['l', 'w'], undefined, (f) => (f.store(f.p(0), f.ext('w', f.bin('add', 'w', f.load('w', f.p(0), 1), f.p(1)), 1, false), 1), undefined));
    fn('negf', ['l'], undefined, (f) => (f.store(field(f, 4), f.un('neg', 'w', f.load('w', field(f, 4), 4)), 4), undefined));
    fn('sarf', ['l'], undefined, (f) => (f.store(f.p(0), f.bin('sar', 'l', f.load('l', f.p(0), 8), c(3)), 8), undefined));
    fn('xorl_', ['l', 'l'], undefined, (f) => (f.store(f.p(0), f.bin('xor', 'l', f.p(1), f.load('l', f.p(0), 8)), 8), undefined));
    // Must not fire: v - *p (not commutative), the old value returned, a store through another
    // pointer between, a call between, a volatile store, another address, a narrow signed shift.
    fn('rsub', ['l', 'l'], undefined, (f) => (f.store(f.p(0), f.bin('sub', 'l', f.p(1), f.load('l', f.p(0), 8)), 8), undefined));
    fn('old', ['l'], 'l', (f) => {
      const x = f.load('l', f.p(0), 8);
      f.store(f.p(0), f.bin('add', 'l', x, c(1)), 8);
      return x;
    });
    fn('alias', ['l', 'l'], undefined, (f) => {
      const x = f.load('l', f.p(0), 8);
      f.store(f.p(1), c(100), 8);
      f.store(f.p(0), f.bin('add', 'l', x, c(1)), 8);
      return undefined;
    });
    fn('calls', ['l'], undefined, (f) => {
      const x = f.load('l', f.p(0), 8);
      f.call('bump', [f.p(0)]);
      f.store(f.p(0), f.bin('add', 'l', x, c(1)), 8);
      return undefined;
    });
    fn('vol', ['l'], undefined, (f) => (f.store(f.p(0), f.bin('add', 'l', f.load('l', f.p(0), 8), c(1)), 8, true), undefined));
    fn('other', ['l'], undefined, (f) => (f.store(field(f), f.bin('add', 'l', f.load('l', f.p(0), 8), c(1)), 8), undefined));
    fn('sarb', ['l'], undefined, (f) => (f.store(f.p(0), f.bin('shr', 'w', f.load('w', f.p(0), 1, true), c(1, 'w')), 1), undefined));
    // A flag-setting memory add followed by a compare fused into its branch.
    fn('cnt_lt', ['l', 'l', 'l'], 'l', (f) => {
      f.store(f.p(0), f.bin('add', 'l', f.load('l', f.p(0), 8), c(-1)), 8);
      const [t, e] = [f.block(), f.block()];
      f.br(f.cmp('slt', 'l', f.p(1), f.p(2)), t, e);
      f.at(t).ret(c(1));
      f.at(e);
      return c(2);
    });
    // atomic_fetch_add: lock add when the old value is unused, lock xadd when it is.
    fn('aadd', ['l'], undefined, (f) => (f.intrin('atomic_fetch_add', [f.p(0), c(5)], 'l', 8), undefined));
    fn('afetch', ['l'], 'l', (f) => f.intrin('atomic_fetch_add', [f.p(0), c(5)], 'l', 8));
    const bump = new FB('bump', ['l'], undefined);
    bump.store(bump.p(0), bump.bin('add', 'l', bump.load('l', bump.p(0), 8), c(10)), 8);
    bump.ret();
    fns.push(bump);
    const protos = 'extern uint64_t count; void inc(void); void orf(uint64_t *, uint64_t); void addb(uint8_t *, uint32_t); void negf(uint32_t *); void sarf(int64_t *);' +
      'void xorl_(uint64_t *, uint64_t); void rsub(uint64_t *, uint64_t); uint64_t old(uint64_t *); void alias(uint64_t *, uint64_t *); void calls(uint64_t *);' +
      'void vol(uint64_t *); void other(uint64_t *); void sarb(uint8_t *); uint64_t cnt_lt(uint64_t *, int64_t, int64_t); void aadd(uint64_t *); uint64_t afetch(uint64_t *);';
    const body = [
      'count = 0xffffffffull; inc(); inc(); printf("inc=%llx\\n", (unsigned long long)count);',
      'uint64_t s[2] = {0, 0x10}; orf(s, 0x101); printf("orf=%llx\\n", (unsigned long long)s[1]);',
      'uint8_t b[2] = {250, 7}; addb(b, 0x10a); printf("addb=%u %u\\n", b[0], b[1]);',
      'uint32_t n[2] = {1, 5}; negf(n); printf("negf=%u %d\\n", n[0], (int)n[1]);',
      'int64_t q = -64; sarf(&q); printf("sarf=%lld\\n", (long long)q);',
      'uint64_t x = 0xf0; xorl_(&x, 0xff); printf("xor=%llx\\n", (unsigned long long)x);',
      'uint64_t r = 3; rsub(&r, 10); printf("rsub=%llu\\n", (unsigned long long)r);',
      'uint64_t o = 41; uint64_t ov = old(&o); printf("old=%llu %llu\\n", (unsigned long long)ov, (unsigned long long)o);',
      'uint64_t a = 1; alias(&a, &a); printf("alias=%llu\\n", (unsigned long long)a);',
      'uint64_t k = 1; calls(&k); printf("calls=%llu\\n", (unsigned long long)k);',
      'uint64_t v = 1; vol(&v); printf("vol=%llu\\n", (unsigned long long)v);',
      'uint64_t t[2] = {5, 0}; other(t); printf("other=%llu %llu\\n", (unsigned long long)t[0], (unsigned long long)t[1]);',
      'uint8_t sb = 0x80; sarb(&sb); printf("sarb=%u\\n", sb);',
      'uint64_t cc = 1; uint64_t c1 = cnt_lt(&cc, -5, 3), c2 = cnt_lt(&cc, 3, -5); printf("cnt=%llu %llu %lld\\n", (unsigned long long)c1, (unsigned long long)c2, (long long)cc);',
      'uint64_t at = 1; aadd(&at); uint64_t af = afetch(&at); printf("atomic=%llu %llu\\n", (unsigned long long)af, (unsigned long long)at);',
    ].map((l) => `  ${l}`).join('\n');
    const { out, asm } = await runMap(fns, protos, body, { globals: [count] });
    expect(out).toEqual({
      inc: '1', // a 32-bit add on count's low word: 0xffffffff + 2 wraps to 1, the high word stays 0
      orf: '111', addb: '4 7', negf: '1 -5', sarf: '-8', xor: 'f', rsub: '7', old: '41 42', alias: '2', calls: '2', vol: '2',
      other: '5 6', sarb: '192', cnt: '1 2 -1', atomic: '6 11', // sarb: (-128 >>> 1) & 0xff, not shrb's 64
    });
    const f = (name: string) => funcAsm(asm, name);
    expect(f('inc')).toMatch(/\taddl\t\$1, count\(%rip\)/);
    expect(f('orf')).toMatch(/\torq\t%rsi, 8\(%rdi\)/);
    expect(f('addb')).toMatch(/\taddb\t%sil, \(%rdi\)/);
    expect(f('negf')).toMatch(/\tnegl\t4\(%rdi\)/);
    expect(f('sarf')).toMatch(/\tsarq\t\$3, \(%rdi\)/);
    expect(f('xorl_')).toMatch(/\txorq\t%rsi, \(%rdi\)/);
    for (const name of ['rsub', 'old', 'alias', 'calls', 'vol', 'other', 'sarb']) expect(f(name), name).not.toMatch(/\t(add|sub|or|xor|and|neg|not|sar|shr|shl)[bwlq]\t([^\n]*, )?-?\w*\(%r\w+\)\n/);
    expect(f('aadd')).toMatch(/\tlock addq\t\$5, \(%rdi\)/);
    expect(f('afetch')).toMatch(/\tlock xaddq/);
  }, 60000);
});

/** Expression builders that run either as IR (FB) or as the BigInt reference (refBin): one definition per case. */
interface Ops<T> {
  bin(op: BinOp, a: T, b: T): T;
  neg(a: T): T;
  k(x: bigint): T;
}
const irOps = (f: FB, cls: Cls): Ops<Value> => ({ bin: (op, a, b) => f.bin(op, cls, a, b), neg: (a) => f.un('neg', cls, a), k: (x) => c(x, cls) });
const refOps = (cls: Cls): Ops<bigint> => ({ bin: (op, a, b) => refBin(op, cls, a, b), neg: (a) => U(cls, -a), k: (x) => U(cls, x) });

describe('rotates', () => {
  // (x, y, n) -> value; `rot` says whether selection must emit rol/ror for it.
  type Case = { name: string; rot: boolean; e: <T>(o: Ops<T>, x: T, y: T, n: T, w: bigint) => T };
  const CASES: Case[] = [
    { name: 'rolc', rot: true, e: (o, x) => o.bin('or', o.bin('shl', x, o.k(7n)), o.bin('shr', x, o.k(-7n))) },
    { name: 'rorc', rot: true, e: (o, x, _y, _n, w) => o.bin('or', o.bin('shr', x, o.k(5n)), o.bin('shl', x, o.k(w - 5n))) },
    { name: 'xorc', rot: true, e: (o, x, _y, _n, w) => o.bin('xor', o.bin('shl', x, o.k(w - 1n)), o.bin('shr', x, o.k(1n))) },
    { name: 'addc', rot: true, e: (o, x, _y, _n, w) => o.bin('add', o.bin('shr', x, o.k(3n)), o.bin('shl', x, o.k(w + w - 3n))) },
    { name: 'rolv', rot: true, e: (o, x, _y, n, w) => o.bin('or', o.bin('shl', x, n), o.bin('shr', x, o.bin('sub', o.k(w), n))) },
    { name: 'rorv', rot: true, e: (o, x, _y, n) => o.bin('or', o.bin('shr', x, n), o.bin('shl', x, o.neg(n))) },
    { name: 'masked', rot: true, e: (o, x, _y, n, w) => o.bin('or', o.bin('shl', x, o.bin('and', n, o.k(w - 1n))), o.bin('shr', x, o.bin('and', o.bin('sub', o.k(0n), n), o.k(w - 1n)))) },
    { name: 'twice', rot: true, e: (o, x, _y, n, w) => { const m = o.bin('sub', o.k(w), o.bin('and', n, o.k(w - 1n))); return o.bin('or', o.bin('shr', x, m), o.bin('shl', x, o.bin('sub', o.k(w), m))); } },
    // Not rotates: counts that do not add up to the width, two sources, + and ^ with a count of 0.
    { name: 'off1', rot: false, e: (o, x, _y, n, w) => o.bin('or', o.bin('shl', x, n), o.bin('shr', x, o.bin('sub', o.k(w + 1n), n))) },
    { name: 'two', rot: false, e: (o, x, y, n, w) => o.bin('or', o.bin('shl', x, n), o.bin('shr', y, o.bin('sub', o.k(w), n))) },
    { name: 'addv', rot: false, e: (o, x, _y, n, w) => o.bin('add', o.bin('shl', x, n), o.bin('shr', x, o.bin('sub', o.k(w), n))) },
    { name: 'xorv', rot: false, e: (o, x, _y, n) => o.bin('xor', o.bin('shr', x, n), o.bin('shl', x, o.neg(n))) },
    { name: 'same', rot: false, e: (o, x, _y, n) => o.bin('or', o.bin('shl', x, n), o.bin('shl', x, o.neg(n))) },
  ];
  it('(x << n) | (x >>> (W - n)) and its variants are rol/ror at w and l, for every count; near misses stay shifts', async () => {
    const funcs: FB[] = [];
    let protos = '';
    let body = '';
    const expected: Record<string, string> = {};
    for (const cls of ['w', 'l'] as Cls[]) {
      const T = ctype(cls);
      const w = BigInt(bits(cls));
      for (const k of CASES) {
        const name = `${k.name}_${cls}`;
        const f = new FB(name, [cls, cls, cls], cls);
        f.ret(k.e(irOps(f, cls), f.p(0), f.p(1), f.p(2), w));
        funcs.push(f);
        protos += `${T} ${name}(${T}, ${T}, ${T});\n`;
        for (const x of VALUES[cls].slice(0, 12)) {
          for (const n of [0n, 1n, 5n, w - 1n, w, w + 3n, U(cls, -1n), U(cls, -7n)]) {
            const y = U(cls, x * 3n + 1n);
            body += `  printf("${name}(${x},${n})=%llu\\n", (unsigned long long)${name}(${x}ull, ${y}ull, ${n}ull));\n`;
            expected[`${name}(${x},${n})`] = String(k.e(refOps(cls), x, y, n, w));
          }
        }
      }
    }
    const { out, asm } = await runMap(funcs, protos, body);
    expect(out).toEqual(expected);
    for (const cls of ['w', 'l'] as Cls[]) {
      for (const k of CASES) {
        const a = funcAsm(asm, `${k.name}_${cls}`);
        if (k.rot) {
          expect(a, `${k.name}_${cls}`).toMatch(/\tro[lr][lq]\t/);
          expect(a, `${k.name}_${cls}`).not.toMatch(/\ts(hl|hr)[lq]\t/);
        } else expect(a, `${k.name}_${cls}`).not.toMatch(/\tro[lr][lq]\t/);
      }
    }
  }, 60000);
});

describe('i32 loop counters widened to 64 bits, constant index offsets in the displacement', () => {
  // A loop `for (i = init; i <stay> bound; i += step) acc = acc * 31 + value(i)`, written with stack
  // slots the way the front end emits it; `value` sign-extends i, i + k and reads a[i + k] (u32).
  type Loop = { name: string; stay: CmpOp; step: bigint; init?: bigint; bound?: bigint; ks: bigint[]; loads: bigint[] };
  const LOOPS: Loop[] = [
    { name: 'up', stay: 'slt', step: 1n, ks: [0n, 1n], loads: [0n, 1n] },
    { name: 'up15', stay: 'slt', step: 1n, ks: [15n], loads: [] }, // i + 15 may wrap when the bound is unknown
    { name: 'upc', stay: 'slt', step: 1n, init: 16n, bound: 64n, ks: [-15n], loads: [-15n, -2n, 0n] }, // i >= 16: i - 15 fits
    { name: 'upneg', stay: 'slt', step: 1n, ks: [-1n], loads: [] }, // i may be the smallest i32: i - 1 may wrap
    { name: 'upk', stay: 'slt', step: 1n, bound: 10n, ks: [0x7ffffff0n], loads: [] }, // i + k fits: i <= 9
    { name: 'upwrap', stay: 'slt', step: 1n, ks: [0x7ffffff0n], loads: [0n] }, // i + k may wrap: stays 32-bit
    { name: 'down', stay: 'sgt', step: -1n, bound: 0n, ks: [-1n], loads: [-1n, 0n] },
    { name: 'le', stay: 'sle', step: 1n, ks: [2n], loads: [0n] }, // i <= n: i + 1 may wrap when n is the largest i32
    { name: 'step3', stay: 'slt', step: 3n, ks: [0n], loads: [0n] },
  ];
  const W32 = (x: bigint) => BigInt.asIntN(32, x);
  const elem = (j: bigint) => BigInt.asUintN(32, j * 2654435761n) ^ BigInt.asUintN(32, j); // a[j], j from -64
  const ref = (l: Loop, init: bigint, n: bigint): bigint => {
    let acc = 0n;
    const bound = l.bound ?? n;
    const stay = (i: bigint) => refCmp(l.stay, 'w', U('w', i), U('w', bound)) === 1n;
    for (let i = W32(l.init ?? init); stay(i); i = W32(i + l.step)) {
      for (const k of l.ks) acc = U('l', acc * 31n + U('l', W32(i + k)));
      for (const k of l.loads) acc = U('l', acc * 31n + elem(W32(i + k)));
    }
    return acc;
  };
  it('gives the same results as 32-bit counters, and needs no movslq where the exit test proves the range', async () => {
    const funcs: FB[] = [];
    let protos = 'uint32_t arr_[256]; uint32_t *arr = arr_ + 64;\n';
    let body = '  for (int j = -64; j < 192; j++) arr[j] = (uint32_t)((uint32_t)j * 2654435761u) ^ (uint32_t)j;\n';
    const expected: Record<string, string> = {};
    for (const l of LOOPS) {
      const f = new FB(l.name, ['l', 'w', 'w'], 'l');
      const i = f.local('w', l.init === undefined ? f.p(1) : c(l.init, 'w'));
      const acc = f.local('l', c(0));
      const [h, b, exit] = [f.block(), f.block(), f.block()];
      f.jmp(h);
      f.at(h).br(f.cmp(l.stay, 'w', i.get(), l.bound === undefined ? f.p(2) : c(l.bound, 'w')), b, exit);
      f.at(b);
      const sext = (k: bigint) => f.ext('l', k === 0n ? i.get() : f.bin('add', 'w', i.get(), c(k, 'w')), 4, true);
      for (const k of l.ks) acc.set(f.bin('add', 'l', f.bin('mul', 'l', acc.get(), c(31)), sext(k)));
      for (const k of l.loads) acc.set(f.bin('add', 'l', f.bin('mul', 'l', acc.get(), c(31)), f.ext('l', f.load('w', f.bin('add', 'l', f.p(0), f.bin('shl', 'l', sext(k), c(2))), 4), 4, false)));
      i.set(f.bin('add', 'w', i.get(), c(l.step, 'w')));
      f.jmp(h);
      f.at(exit).ret(acc.get());
      funcs.push(f);
      protos += `uint64_t ${l.name}(uint32_t *, int32_t, int32_t);\n`;
      const runs: [bigint, bigint][] = l.name === 'down' ? [[40n, 0n], [0n, 0n], [-5n, 0n]] : [[0n, 40n], [16n, 64n], [5n, 5n], [-20n, 3n], [100n, 0n]];
      for (const [init, n] of runs) {
        body += `  printf("${l.name}(${init},${n})=%llu\\n", (unsigned long long)${l.name}(arr, ${init}, ${n}));\n`;
        expected[`${l.name}(${init},${n})`] = String(ref(l, init, n));
      }
    }
    const { out, asm } = await runMap(funcs, protos, body);
    expect(out).toEqual(expected);
    // Only the entry extends the parameters (init and bound) once; nothing in the loop.
    for (const name of ['up', 'upc', 'upk', 'down']) expect(funcAsm(asm, name).match(/movslq/g)?.length ?? 0, name).toBeLessThanOrEqual(2);
    expect(funcAsm(asm, 'upc')).toMatch(/\tmovl\t-8\(%r\w+,%r\w+,4\)/); // a[i - 2]: the offset is in the displacement
    for (const name of ['upwrap', 'upneg', 'up15']) expect(funcAsm(asm, name), name).toMatch(/movslq/);
    expect(jumpsToJumps(asm)).toEqual([]);
    expect(funcAsm(asm, 'le')).toMatch(/movslq/);
  }, 60000);
});

describe('full unrolling of constant-trip loops', () => {
  // for (i = init; i < bound; i += step) { p[i] = x + i; acc = acc * 3 + i; } with a store in the
  // header too (counts header visits); returns acc * 1000 + i after the loop.
  type Loop = { name: string; init: bigint; bound: bigint; step: bigint; unrolled: boolean };
  const LOOPS: Loop[] = [
    { name: 'u4', init: 0n, bound: 4n, step: 1n, unrolled: true },
    { name: 'u0', init: 5n, bound: 4n, step: 1n, unrolled: true }, // never enters: only the header's visit is left
    { name: 'u3s2', init: 1n, bound: 6n, step: 2n, unrolled: true },
    { name: 'u20', init: 0n, bound: 20n, step: 1n, unrolled: false }, // too many trips: stays a loop
  ];
  it('gives the loop\'s results with no loop left, within the size limits', async () => {
    const funcs: FB[] = [];
    let protos = '';
    let body = '';
    const expected: Record<string, string> = {};
    for (const l of LOOPS) {
      const f = new FB(l.name, ['l', 'l', 'l'], 'l'); // (p, x, visits)
      const [h, b, exit] = [f.block(), f.block(), f.block()];
      f.jmp(h);
      f.at(h);
      const i = f.phi('w', [{ block: 0, value: c(l.init, 'w') }]);
      const acc = f.phi('l', [{ block: 0, value: c(0) }]);
      f.store(f.p(2), f.bin('add', 'l', f.load('l', f.p(2), 8), c(1)), 8);
      f.br(f.cmp('slt', 'w', i, c(l.bound, 'w')), b, exit);
      f.at(b);
      const wi = f.ext('l', i, 4, true);
      f.store(f.bin('add', 'l', f.p(0), f.bin('shl', 'l', wi, c(3))), f.bin('add', 'l', f.p(1), wi), 8);
      const acc2 = f.bin('add', 'l', f.bin('mul', 'l', acc, c(3)), wi);
      const i2 = f.bin('add', 'w', i, c(l.step, 'w'));
      f.jmp(h);
      const phis = f.f.blocks[h].insts.filter((x) => x.op === 'phi') as Extract<Inst, { op: 'phi' }>[];
      phis.find((x) => x.dst === (i as { id: number }).id)!.incoming.push({ block: b, value: i2 });
      phis.find((x) => x.dst === (acc as { id: number }).id)!.incoming.push({ block: b, value: acc2 });
      f.at(exit).ret(f.bin('add', 'l', f.bin('mul', 'l', acc, c(1000)), f.ext('l', i, 4, true)));
      funcs.push(f);
      protos += `uint64_t ${l.name}(uint64_t *, uint64_t, uint64_t *);\n`;
      body += `  { uint64_t a[32] = {0}, v = 0; uint64_t r = ${l.name}(a, 100, &v); uint64_t s = 0; for (int k = 0; k < 32; k++) s = s * 7 + a[k];\n`;
      body += `    printf("${l.name}=%llu %llu %llu\\n", (unsigned long long)r, (unsigned long long)v, (unsigned long long)s); }\n`;
      let [acc0, i0, visits, s] = [0n, l.init, 0n, 0n];
      const a = new Array<bigint>(32).fill(0n);
      for (;;) {
        visits++;
        if (!(i0 < l.bound)) break;
        a[Number(i0)] = 100n + i0;
        acc0 = acc0 * 3n + i0;
        i0 += l.step;
      }
      for (const x of a) s = U('l', s * 7n + x);
      expected[l.name] = `${acc0 * 1000n + i0} ${visits} ${s}`;
    }
    const { out, asm } = await runMap(funcs, protos, body);
    expect(out).toEqual(expected);
    for (const l of LOOPS) {
      const a = funcAsm(asm, l.name);
      // a loop has a conditional jump; the unrolled ones have none
      expect(/\tj(l|g|b|a|ge|le|ae|be|ne|e)\t/.test(a), l.name).toBe(!l.unrolled);
    }
    expect(jumpsToJumps(asm)).toEqual([]);
  }, 60000);
});

describe('jump threading through a join that only branches on a phi', () => {
  // if (x < y) { r = K1 } else { r = K2 }  then  test(r) ? x + 100 : y - 7 (direct: x + r + 100)
  const build = (name: string, k1: bigint, k2: bigint, test: CmpOp | undefined, direct: boolean): FB => {
    const f = new FB(name, ['w', 'w'], 'w');
    const [p1, p2, m, t, e] = [f.block(), f.block(), f.block(), f.block(), f.block()];
    f.br(f.cmp('slt', 'w', f.p(0), f.p(1)), p1, p2);
    f.at(p1).jmp(m);
    f.at(p2).jmp(m);
    f.at(m);
    const r = f.phi('w', [{ block: p1, value: c(k1, 'w') }, { block: p2, value: c(k2, 'w') }]);
    f.br(test ? f.cmp(test, 'w', r, c(5, 'w')) : r, t, e);
    // direct: a successor reads the phi itself (bypassing the join would break dominance: no threading)
    f.at(t).ret(f.bin('add', 'w', direct ? f.bin('add', 'w', f.p(0), r) : f.p(0), c(100, 'w')));
    f.at(e).ret(f.bin('sub', 'w', f.p(1), c(7, 'w')));
    return f;
  };
  const CASES: { name: string; k1: bigint; k2: bigint; test?: CmpOp; direct: boolean; threaded: boolean }[] = [
    { name: 'th_phi', k1: 1n, k2: 0n, direct: false, threaded: true },
    { name: 'th_cmp', k1: 5n, k2: 9n, test: 'eq', direct: false, threaded: true },
    { name: 'th_ult', k1: 7n, k2: 2n, test: 'ult', direct: false, threaded: true },
    { name: 'th_direct', k1: 1n, k2: 0n, direct: true, threaded: false },
  ];
  it('each path jumps to the successor its constant selects; results unchanged', async () => {
    const funcs = CASES.map((k) => build(k.name, k.k1, k.k2, k.test, k.direct));
    let protos = '';
    let body = '';
    const expected: Record<string, string> = {};
    for (const k of CASES) {
      protos += `uint32_t ${k.name}(uint32_t, uint32_t);\n`;
      for (const [x, y] of [[1n, 2n], [5n, 3n], [0xfffffff0n, 4n], [7n, 7n]]) {
        body += `  printf("${k.name}(${x},${y})=%u\\n", ${k.name}(${x}u, ${y}u));\n`;
        const r = S('w', x) < S('w', y) ? k.k1 : k.k2;
        const taken = k.test ? refCmp(k.test, 'w', r, 5n) === 1n : r !== 0n;
        expected[`${k.name}(${x},${y})`] = String(taken ? U('w', x + (k.direct ? r : 0n) + 100n) : U('w', y - 7n));
      }
    }
    const { out, asm } = await runMap(funcs, protos, body);
    expect(out).toEqual(expected);
    // A threaded join leaves no constant loaded into a register only to be tested.
    const testsConstant = /\t(movl\t\$\d+|xorl\t(%\w+)), (%\w+)\n(\t\.loc[^\n]*\n)*(\.L\w+:\n)?\t(testl|cmpl)\t[^\n]*\3\n/;
    for (const k of CASES) expect(testsConstant.test(funcAsm(asm, k.name)), k.name).toBe(!k.threaded);
    expect(jumpsToJumps(asm)).toEqual([]);
  }, 60000);
});

describe('two-address operations start from the operand that dies', () => {
  it('x ^ load(p) with x still needed after is computed into the loaded value, with no copy of x', async () => {
    const fns: FB[] = [];
    for (const op of ['xor', 'and', 'or', 'mul'] as BinOp[]) {
      const f = new FB(`two_${op}`, ['w', 'l'], 'w');
      const t = f.bin(op, 'w', f.p(0), f.load('w', f.p(1), 1));
      f.ret(f.bin('add', 'w', t, f.bin('shr', 'w', f.p(0), c(8, 'w'))));
      fns.push(f);
    }
    const protos = ['xor', 'and', 'or', 'mul'].map((op) => `uint32_t two_${op}(uint32_t, uint8_t *);`).join('\n');
    const body = ['xor', 'and', 'or', 'mul'].map((op) => `  { uint8_t b = 0xa7; printf("${op}=%u\\n", two_${op}(0x12345678u, &b)); }`).join('\n');
    const { out, asm } = await runMap(fns, protos, body);
    const x = 0x12345678n;
    const r = (op: BinOp) => String(U('w', refBin(op, 'w', x, 0xa7n) + (x >> 8n)));
    expect(out).toEqual({ xor: r('xor'), and: r('and'), or: r('or'), mul: r('mul') });
    for (const op of ['xor', 'and', 'or', 'mul']) expect(funcAsm(asm, `two_${op}`), op).not.toMatch(/\tmov[lq]\t%(?!rsp)\w+, %\w+\n/); // the prologue's movq %rsp, %rbp aside
  }, 60000);
});

describe('extending loads', () => {
  it('i64(load) of the same width is one movs/movz load; not past a store to the same place', async () => {
    const fns: FB[] = [];
    const cases: { name: string; w: 1 | 2 | 4; loadSigned: boolean; extSigned: boolean }[] = [];
    for (const w of [1, 2, 4] as const) for (const loadSigned of [false, true]) for (const extSigned of [false, true]) cases.push({ name: `xl${w}${loadSigned ? 's' : 'u'}${extSigned ? 's' : 'u'}`, w, loadSigned, extSigned });
    for (const k of cases) {
      const f = new FB(k.name, ['l'], 'l');
      f.ret(f.ext('l', f.load('w', f.p(0), k.w, k.loadSigned), k.w, k.extSigned));
      fns.push(f);
    }
    // The load reads 0x80..., then a store writes 1 there, then the extension: the old value.
    const st = new FB('xl_store', ['l'], 'l');
    const v = st.load('w', st.p(0), 4);
    st.store(st.p(0), c(1, 'w'), 4);
    st.ret(st.ext('l', v, 4, true));
    fns.push(st);
    const protos = cases.map((k) => `uint64_t ${k.name}(void *);`).join('\n') + '\nuint64_t xl_store(void *);';
    const body = cases.map((k) => `  { uint32_t m = 0x8badf0f8u; printf("${k.name}=%llu\\n", (unsigned long long)${k.name}(&m)); }`).join('\n') +
      '\n  { uint32_t m = 0x80000000u; uint64_t r = xl_store(&m); printf("xl_store=%llu %u\\n", (unsigned long long)r, m); }';
    const { out, asm } = await runMap(fns, protos, body);
    const mem = 0x8badf0f8n;
    const expected: Record<string, string> = { xl_store: `${U('l', -(1n << 31n))} 1` };
    for (const k of cases) {
      const bitsW = BigInt(k.w * 8);
      const raw = mem & ((1n << bitsW) - 1n);
      const loaded = k.loadSigned ? U('w', BigInt.asIntN(k.w * 8, raw)) : raw; // class w
      const low = loaded & ((1n << bitsW) - 1n);
      expected[k.name] = String(k.extSigned ? U('l', BigInt.asIntN(k.w * 8, low)) : low);
    }
    expect(out).toEqual(expected);
    for (const k of cases) expect(funcAsm(asm, k.name).match(/\tmov[sz]?[bwlq]*\t/g)?.length, k.name).toBe(2); // the prologue's movq, the load
  }, 60000);
});

describe('machine jump threading', () => {
  it('a split critical edge whose copies coalesced is jumped over, not through', async () => {
    const fns: FB[] = [];
    for (const [name, op] of [['edge_lt', 'slt'], ['edge_ne', 'ne']] as [string, CmpOp][]) {
      const f = new FB(name, ['w', 'w'], 'w');
      const [b1, j] = [f.block(), f.block()];
      f.br(f.cmp(op, 'w', f.p(0), f.p(1)), b1, j);
      f.at(b1);
      const t = f.bin('add', 'w', f.p(0), c(5, 'w'));
      f.jmp(j);
      f.at(j).ret(f.bin('mul', 'w', f.phi('w', [{ block: 0, value: f.p(0) }, { block: b1, value: t }]), c(3, 'w')));
      fns.push(f);
    }
    const { out, asm } = await runMap(fns, 'uint32_t edge_lt(uint32_t, uint32_t); uint32_t edge_ne(uint32_t, uint32_t);',
      '  printf("lt=%u %u\\n", edge_lt(1, 2), edge_lt(3, 2));\n  printf("ne=%u %u\\n", edge_ne(1, 2), edge_ne(2, 2));');
    expect(out).toEqual({ lt: '18 9', ne: '18 6' });
    expect(jumpsToJumps(asm)).toEqual([]);
  }, 60000);

  it('retargets branches and jumps through chains of jump-only blocks (copies that vanish ignored), and stops at a cycle', () => {
    const j = (mnem: string, to: string): MInst => ({ mnem, ops: [{ k: 'label', name: to }], acc: ['n'] });
    const nop: MInst = { mnem: 'movq', ops: [{ k: 'reg', r: 100, sz: 8 }, { k: 'reg', r: 100, sz: 8 }], acc: ['r', 'w'], copy: true };
    const block = (label: string, insts: MInst[]) => ({ label, insts, succs: [], depth: 0 });
    const mf = {
      name: 't', exported: false, regSize: new Map(), slots: [], outArgs: 0, temps: new Set<number>(), nextReg: 200,
      blocks: [
        block('A', [j('jne', 'B'), j('jmp', 'C')]),
        block('B', [nop, j('jmp', 'C')]),
        block('C', [j('jmp', 'D')]),
        block('D', [{ mnem: 'ret', ops: [], acc: [] }]),
        block('E', [j('jmp', 'F')]),
        block('F', [j('jmp', 'E')]),
        block('G', [j('jmp', 'E')]),
      ],
    } as unknown as MFunc;
    threadJumps(mf, (i) => i === nop);
    const targets = mf.blocks.map((b) => b.insts.filter((i) => i.ops[0]?.k === 'label').map((i) => `${i.mnem} ${(i.ops[0] as { name: string }).name}`).join(', '));
    expect(targets.slice(0, 4)).toEqual(['jne D, jmp D', 'jmp D', 'jmp D', '']);
    for (const k of [4, 5, 6]) expect(targets[k]).toMatch(/^jmp [EF]$/); // a cycle of jumps stays a cycle
  });
});

describe('phi copies of a rotated loop variable', () => {
  it('a list walk keeping prev = cur finds the right node, with no copy of the next pointer', async () => {
    // prev = 0; for (cur = head; cur != 0 && cur.key < k; cur = cur.next) prev = cur; return prev
    const f = new FB('walk', ['l', 'l'], 'l');
    const [h, b, l, x] = [f.block(), f.block(), f.block(), f.block()];
    f.jmp(h);
    f.at(l);
    const cur = f.newVreg('l');
    const next = f.load('l', f.bin('add', 'l', cur, c(8)), 8);
    f.jmp(h);
    f.at(h);
    const prev = f.phi('l', [{ block: 0, value: c(0) }, { block: l, value: cur }]);
    f.cur.insts.unshift({ op: 'phi', cls: 'l', dst: (cur as { id: number }).id, incoming: [{ block: 0, value: f.p(0) }, { block: l, value: next }] });
    f.br(f.cmp('ne', 'l', cur, c(0)), b, x);
    f.at(b).br(f.cmp('uge', 'l', f.load('l', cur, 8), f.p(1)), x, l);
    f.at(x).ret(prev);
    const protos = 'struct node { uint64_t key; struct node *next; }; uint64_t walk(struct node *, uint64_t); struct node ns[6];';
    const body = '  for (int i = 0; i < 6; i++) { ns[i].key = 10 * (i + 1); ns[i].next = i < 5 ? &ns[i + 1] : 0; }\n' +
      '  for (int k = 0; k < 80; k += 15) { uint64_t r = walk(ns, k); printf("k%d=%d\\n", k, r ? (int)((struct node *)r - ns) : -1); }';
    const { out, asm } = await runMap([f], protos, body);
    // first node with key >= k: its predecessor's index (-1: none)
    expect(out).toEqual({ k0: '-1', k15: '0', k30: '1', k45: '3', k60: '4', k75: '5' });
    // The loop body: load next into cur's register after prev takes cur: one load, no register copy of next.
    expect(funcAsm(asm, 'walk')).toMatch(/\tmovq\t8\((%r\w+)\), \1\n/);
  }, 60000);
});

describe('constant offsets moved into the displacement', () => {
  it('p + (i + k), (i + k) + p and p + ((i + k) << s) address the right byte for every k', async () => {
    const fns: FB[] = [];
    const ks = [1n, 2n, 3n, 20n, -1n, -8n];
    let body = '';
    const expected: Record<string, string> = {};
    ks.forEach((k, n) => {
      for (const [form, s] of [['pk', 0n], ['kp', 0n], ['s1', 1n], ['s2', 2n], ['s3', 3n]] as [string, bigint][]) {
        const name = `off_${form}_${n}`;
        const f = new FB(name, ['l', 'l'], 'l');
        const ik = f.bin('add', 'l', f.p(1), c(k));
        const idx = s === 0n ? ik : f.bin('shl', 'l', ik, c(s));
        f.ret(f.load('l', form === 'kp' ? f.bin('add', 'l', idx, f.p(0)) : f.bin('add', 'l', f.p(0), idx), 1));
        fns.push(f);
        body += `  printf("${name}=%llu\\n", (unsigned long long)${name}(bytes + 64, 3));\n`;
        expected[name] = String(64n + ((3n + k) << s));
      }
    });
    const protos = fns.map((f) => `uint64_t ${f.f.name}(uint8_t *, uint64_t);`).join('\n') + '\nuint8_t bytes[256];';
    const { out } = await runMap(fns, protos, '  for (int j = 0; j < 256; j++) bytes[j] = (uint8_t)j;\n' + body);
    expect(out).toEqual(expected);
  }, 60000);
});
