// Runs a longer differential batch and keeps every failing program as a conformance case.
//
//   npx vite-node tests/differential/run-batch.ts [count] [first-seed] [narrow|wide]
//
// Each program whose native run differs from node (or does not build, or crashes) is written to
// tests/conformance/differential/seed<N>.ts with node's output as its expect block, so that it
// stays in the conformance suite once fixed. Exit status 1 if any program failed.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { agrees, asConformanceCase, runDifferential, type Mode } from './batch.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const count = Number(process.argv[2] ?? 1000);
const first = Number(process.argv[3] ?? 100_000);
const mode = (process.argv[4] ?? 'narrow') as Mode;
if (mode !== 'narrow' && mode !== 'wide') throw new Error(`mode must be narrow or wide, not ${mode}`);
const seeds = Array.from({ length: count }, (_, i) => first + i);

const t0 = Date.now();
const outcomes = await runDifferential(seeds, join(ROOT, 'out', 'differential', `batch-${mode}`), 30, mode);
const saveDir = join(ROOT, 'tests', 'conformance', 'differential');
let failed = 0;
for (const o of outcomes) {
  if (o.nodeError) {
    // A program node cannot run is a generator bug, not a compiler bug: report, do not save.
    console.log(`seed ${o.seed}: node failed: ${o.nodeError.split('\n')[0]}`);
    failed++;
  } else if (!agrees(o)) {
    mkdirSync(saveDir, { recursive: true });
    const file = join(saveDir, `${mode === 'wide' ? 'wide' : 'seed'}${o.seed}.ts`);
    writeFileSync(file, asConformanceCase(o, mode));
    console.log(`seed ${o.seed}: ${o.nativeError?.split('\n')[0] ?? 'output differs'} -> ${file}`);
    failed++;
  }
}
console.log(`${count} programs, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
