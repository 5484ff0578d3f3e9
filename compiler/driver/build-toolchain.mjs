// Compiles the toolchain itself (compiler/, linker/) to out/toolchain with tsc, timed like every
// other build phase, and records the hash of what it compiled in out/toolchain/.hash: the build
// client sends it to the build server, which serves only when it runs that very toolchain
// (compiler/driver/server.ts). Plain JavaScript because it runs before any TypeScript has been compiled.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const start = performance.now();
const r = spawnSync('node_modules/.bin/tsc', ['-p', 'tsconfig.json'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const { toolchainHash } = await import('../../out/toolchain/compiler/driver/buildcache.js');
writeFileSync('out/toolchain/.hash', toolchainHash() + '\n');
const ms = Math.round(performance.now() - start);
console.log(`  ${'toolchain'.padEnd(10)}${'tsc compiler/ linker/'.padEnd(40)}${String(ms).padStart(6)} ms`);
