// Front end tests: programs under tests/frontend/ compiled to IR and run by the IR interpreter.
// Expected values are worked out by hand from the language rules (docs/language.md).
import { describe, it, expect, beforeAll } from 'vitest';
import { compileToIR } from '../compiler/driver/compile.js';
import { printModule } from '../compiler/ir/print.js';
import { runModule, Trap } from '../compiler/ir/interp.js';
import { UserError, formatDiagnostic } from '../linker/diag.js';
import type { Module } from '../compiler/ir/ir.js';
import { buildProgram } from '../compiler/driver/build.js';
import { LINUX } from '../compiler/driver/target.js';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';

function build(dir: string): Module {
  try {
    return compileToIR(dir).module;
  } catch (e) {
    if (e instanceof UserError) throw new Error(e.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    throw e;
  }
}

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const u32 = (v: bigint) => BigInt.asUintN(32, v);

describe('kernel-like program', () => {
  it('prints the banner on COM1 through port I/O and halts', () => {
    const m = build('tests/frontend/kernel');
    const r = runModule(m, { entry: 'kernel_main', args: [0x2badb002n, 0x9000n] });
    expect(r.halted).toBe(true);
    expect(r.serial).toBe('Scarlett OS\nversion 2 magic=0x2badb002 info=36864 neg=-5\n');
  });

  it('names externs (declare let / declare function) without defining them', () => {
    const m = build('tests/frontend/kernel');
    expect([...m.externs].sort()).toEqual(['__kernel_end', 'boot_halt']);
    expect(m.globals.find((g) => g.name === '__kernel_end')).toBeUndefined();
    const giveUp = m.funcs.find((f) => f.name === 'give_up')!;
    expect(giveUp.blocks.map((b) => b.term.op)).toEqual(['unreachable']); // a never call ends the block
  });
});

describe('language constructs', () => {
  let m: Module;
  beforeAll(() => {
    m = build('tests/frontend/lang');
  });
  const run = (entry: string, ...args: bigint[]) => runModule(m, { entry, args }).value;

  it('runs the whole program: fmt, structs, layout, new/destroy, tables, globals, atomics', () => {
    const r = runModule(m, { entry: 'main' });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe(
      [
        'hello world',
        'plain',
        '-128 65535 -1 4294967295 65535 0xffffffffffffffff 0x80 1 0',
        '8 4 48 8',
        '0 8 16 18 20 24 32 40',
        '48 4 32 2 43981',
        '100 1 2 16',
        '1 2 3 1 -5 1',
        '1017 100 99',
        'frees=2',
        '1063 5 21 2',
        '0xdeadbeef -1 -128 255 0 1',
        '10 15 100 7 8',
        '1024 4294966272 1099511627776 scarlett 8 42 1099511627776 1 41',
        'two -1 -3 5 6 42',
        '6',
        '',
      ].join('\n'),
    );
  });

  // [entry, args, expected result (normalised to the class width, unsigned)]
  const cases: [string, bigint[], bigint][] = [
    ['add_u8', [200n, 100n], 44n],
    ['mul_i16', [300n, 300n], 24464n],
    ['div_i32', [u32(-7n), 2n], u32(-3n)],
    ['rem_i32', [u32(-7n), 2n], u32(-1n)],
    ['div_u32', [0xffffffffn, 2n], 2147483647n],
    ['rem_u64', [u64(-1n), 10n], 5n],
    ['shr_i8', [u32(-128n), 1n], u32(-64n)],
    ['ushr_i8', [u32(-128n), 1n], u32(-64n)], // as in JS: i8((-128) >>> 1) == -64
    ['ushr_i8', [u32(-1n), 4n], u32(-1n)],
    ['shr_u32', [0x80000000n, 31n], 1n],
    ['shr_u32', [2n, 33n], 1n],
    ['sar_i64', [u64(-16n), 2n], u64(-4n)],
    ['sar_i64', [u64(-16n), 65n], u64(-8n)],
    ['shl_i32', [1n, 31n], 0x80000000n],
    ['shl_i32', [1n, 32n], 1n],
    ['neg_u32', [1n], 0xffffffffn],
    ['not_u16', [0n], 65535n],
    ['lt_u32', [0xffffffffn, 1n], 0n],
    ['lt_i32', [u32(-1n), 1n], 1n],
    ['widen', [200n, u32(-300n)], u32(-100n)],
    ['widen64', [0xffffffffn], 0xffffffffn],
    ['sext', [u32(-1n)], u64(-1n)],
    ['trunc8', [0x1234n], 0x34n],
    ['to_i8', [200n], u32(-56n)],
    ['to_bool', [0x100000000n], 1n],
    ['from_bool', [1n], 1n],
    ['big', [], u64(-1n)],
    ['big_minus', [], 0x7fffffffffffffffn],
    ['const_fold', [], 34n],
    ['ctx_shift', [], 1n << 40n],
    ['min_i64', [], 1n << 63n],
    ['compound', [10n], 141n],
    ['incdec', [], 55775n],
    ['u8_wrap_inc', [], 0n],
    ['classify', [0n], 100n],
    ['classify', [1n], 111n],
    ['classify', [2n], 112n],
    ['classify', [3n], 103n],
    ['classify', [4n], 44n],
    ['classify', [9n], u32(-1n)],
    ['default_in_middle', [1n], 111n],
    ['default_in_middle', [2n], 100n],
    ['default_in_middle', [5n], 110n],
    ['labelled', [], 35n],
    ['loops', [5n], 2001n],
    ['ternary', [u32(-5n), 20n], 105n],
    ['ternary', [3n, 2n], 8n],
    ['conditions', [0n, 0n], 18n],
    ['conditions', [0n, 5n], 22n],
    ['fib', [20n], 6765n],
    ['mutual', [7n], 0n],
    ['mutual', [10n], 1n],
    ['call_many', [], 204n],
    ['fnptr', [0n], 1322n],
    ['fnptr', [1n], 730n],
  ];
  for (const [entry, args, want] of cases) {
    it(`${entry}(${args.join(', ')}) = ${want}`, () => {
      expect(run(entry, ...args)).toBe(want);
    });
  }

  it('traps on division by zero and MIN / -1', () => {
    expect(() => run('div_i32', 1n, 0n)).toThrow(Trap);
    expect(() => run('div_i32', 0x80000000n, u32(-1n))).toThrow(/SIGFPE/);
    expect(() => run('rem_u64', 1n, 0n)).toThrow(/SIGFPE/);
  });

  it('marks /** @inline */ functions and keeps non-exported names local', () => {
    const twice = m.funcs.find((f) => f.name === 'twice')!;
    expect(twice.inline).toBe('always');
    expect(twice.exported).toBe(false);
    expect(m.funcs.find((f) => f.name === 'add_u8')!.exported).toBe(true);
    expect(m.funcs.find((f) => f.name === 'Point.len2')).toBeDefined();
  });

  it('puts strings in .rodata with their length before them, and constants nowhere', () => {
    const s = m.globals.find((g) => g.section === 'rodata' && g.bytes && new TextDecoder().decode(g.bytes.subarray(8)) === 'scarlett\0')!;
    expect(s).toBeDefined();
    expect(new DataView(s.bytes!.buffer).getBigUint64(0, true)).toBe(8n);
    expect(m.globals.find((g) => g.name === 'LIMIT')).toBeUndefined();
    const primes = m.globals.find((g) => g.name === 'PRIMES')!;
    expect(primes.section).toBe('rodata');
    expect([...primes.bytes!]).toEqual([2, 0, 3, 0, 5, 0, 7, 0, 11, 0, 13, 0]);
    const words = m.globals.find((g) => g.name === 'WORDS')!;
    expect(words.relocs.map((r) => r.offset)).toEqual([0, 8, 16]);
    const zeroed = m.globals.find((g) => g.name === 'zeroed')!;
    expect(zeroed.section).toBe('bss');
    expect(m.globals.find((g) => g.name === 'counter.3')?.section ?? m.globals.find((g) => g.name.startsWith('counter'))!.section).toBe('data');
  });

  it('gives every instruction a source position and keeps blocks numbered', () => {
    for (const f of m.funcs) {
      f.blocks.forEach((b, i) => expect(b.id).toBe(i));
      for (const b of f.blocks) for (const i of b.insts) expect(i.loc, `${f.name}: ${printModule({ funcs: [f], globals: [], externs: [] })}`).toBeDefined();
    }
  });
});

// The same program through the back end, assembler and linker, run natively on Linux: its output
// and exit status must equal the interpreter's.
describe('natively on Linux', () => {
  it('prints what the interpreter prints', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fe-native-')), 'lang');
    buildProgram({
      tsconfig: 'tests/frontend/lang/tsconfig.json', target: LINUX, out, quiet: true,
    });
    const native = await execa(out, [], { reject: false });
    const interp = runModule(build('tests/frontend/lang'), { entry: 'main' });
    expect(native.stdout + '\n').toBe(interp.stdout);
    expect(native.exitCode).toBe(interp.exitCode);
  });
});
