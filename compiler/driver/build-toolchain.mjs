// Compiles the toolchain itself (compiler/, linker/) to out/toolchain with tsc, timed like every
// other build phase. Plain JavaScript because it runs before any TypeScript has been compiled.
import { spawnSync } from 'node:child_process';

const start = performance.now();
const r = spawnSync('node_modules/.bin/tsc', ['-p', 'tsconfig.json'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const ms = Math.round(performance.now() - start);
console.log(`  ${'toolchain'.padEnd(10)}${'tsc compiler/ linker/'.padEnd(40)}${String(ms).padStart(6)} ms`);
