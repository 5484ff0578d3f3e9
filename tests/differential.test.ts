// Differential testing against node: a fixed-seed batch of random programs (tests/differential/
// gen.ts), each run natively (Linux target) and under node (tests/differential/shim.ts); the
// outputs must be equal. Longer batches: `npx vite-node tests/differential/run-batch.ts`.

import { describe, it, expect, beforeAll } from 'vitest';
import { join, resolve } from 'node:path';
import { agrees, runDifferential, type Outcome } from './differential/batch.ts';
import { generateProgram } from './differential/gen.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SEEDS = Array.from({ length: 300 }, (_, i) => 1000 + i);

describe('generator', () => {
  it('is deterministic and varied', () => {
    expect(generateProgram(7)).toBe(generateProgram(7));
    expect(generateProgram(7)).not.toBe(generateProgram(8));
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
