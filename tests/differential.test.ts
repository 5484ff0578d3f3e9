// Differential testing against node: a fixed-seed batch of random programs (tests/differential/
// gen.ts), each run natively (Linux target) and under node (tests/differential/shim.ts); the
// outputs must be equal. A second batch covers all the widths (tests/differential/gen-wide.ts):
// node runs a BigInt JavaScript rendering of the same program tree.
// Longer batches: `npx vite-node tests/differential/run-batch.ts [count] [first-seed] [narrow|wide]`.

import { describe, it, expect, beforeAll } from 'vitest';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { agrees, runDifferential, runWideUnderNode, type Outcome } from './differential/batch.ts';
import { generateProgram } from './differential/gen.ts';
import { generateWide, WIDE_PRELUDE } from './differential/gen-wide.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SEEDS = Array.from({ length: 300 }, (_, i) => 1000 + i);
const WIDE_SEEDS = Array.from({ length: 240 }, (_, i) => 5000 + i);

describe('generator', () => {
  it('is deterministic and varied', () => {
    expect(generateProgram(7)).toBe(generateProgram(7));
    expect(generateProgram(7)).not.toBe(generateProgram(8));
  });
});

describe('wide generator and its BigInt oracle', () => {
  it('is deterministic and varied', () => {
    expect(generateWide(7)).toEqual(generateWide(7));
    expect(generateWide(7).ts).not.toBe(generateWide(8).ts);
  });

  // The oracle's helpers against the examples of docs/language.md (Operators, Conversions).
  const evalJs = (e: string) => String(vm.runInContext(WIDE_PRELUDE + e, vm.createContext({})));
  it.each([
    ["USHR('i8', -1n, 1n)", '-1'], // i8(-1) >>> 1: the 32-bit logical shift, wrapped back
    ["SHR('i8', -128n, 7n)", '-1'],
    ["SHL('u8', 0x81n, 1n)", '2'],
    ["SHL('u64', 1n, 64n)", '1'], // the count is masked to 6 bits
    ["SHL('u32', 1n, 32n)", '1'],
    ["SHR('u64', 0x8000000000000000n, 63n)", '1'], // logical on unsigned
    ["SHR('i64', -0x8000000000000000n, 63n)", '-1'],
    ["W.i8(-128n / -1n)", '-128'],
    ["W.i64(-7n % 2n)", '-1'],
    ["W.u64(-1n)", '18446744073709551615'],
    ["W.i8(200n)", '-56'],
    ["W.u32(W.i8(-1n))", '4294967295'],
    ["H('i8', -1n)", '0xff'],
    ["H('u64', 0xDEADn)", '0xdead'],
  ])('%s is %s', (e, want) => {
    expect(evalJs(e)).toBe(want);
  });

  it('every generated program runs under node and prints something', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = runWideUnderNode(seed);
      expect(r.error).toBeUndefined();
      expect(r.stdout).toMatch(/^mem 96 /m);
    }
  });
});

describe('differential: native vs node, 300 fixed-seed programs', () => {
  let outcomes: Outcome[] = [];
  beforeAll(async () => {
    outcomes = await runDifferential(SEEDS, join(ROOT, 'out', 'differential', 'ci'));
  }, 900_000);

  it('every program runs to completion under node', () => {
    const bad = outcomes.filter((o) => o.nodeError).map((o) => `seed ${o.seed}: ${o.nodeError}`);
    expect(bad).toEqual([]);
  });

  it('native output equals node output for every program', () => {
    const bad = outcomes.filter((o) => !agrees(o)).map((o) => o.nativeError
      ? `seed ${o.seed}: ${o.nativeError.slice(0, 400)}`
      : `seed ${o.seed}: output differs (node ${o.node.length} bytes, native ${o.native?.length ?? 0} bytes)`);
    expect(bad).toEqual([]);
  });
});

describe('differential (all widths): native vs node BigInt, 240 fixed-seed programs', () => {
  let outcomes: Outcome[] = [];
  beforeAll(async () => {
    outcomes = await runDifferential(WIDE_SEEDS, join(ROOT, 'out', 'differential', 'ci-wide'), 30, 'wide');
  }, 900_000);

  it('every program runs to completion under node', () => {
    const bad = outcomes.filter((o) => o.nodeError).map((o) => `seed ${o.seed}: ${o.nodeError}`);
    expect(bad).toEqual([]);
  });

  it('native output equals node output for every program', () => {
    const bad = outcomes.filter((o) => !agrees(o)).map((o) => o.nativeError
      ? `seed ${o.seed}: ${o.nativeError.slice(0, 400)}`
      : `seed ${o.seed}: output differs (node ${o.node.length} bytes, native ${o.native?.length ?? 0} bytes)`);
    expect(bad).toEqual([]);
  });
});
