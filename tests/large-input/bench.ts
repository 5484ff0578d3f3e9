// Times the builds of tests/large-input.test.ts's programs, phase by phase, and prints a Markdown
// table (docs/benchmarks.md, "Large and deep input"):
//
//   make && npx vite-node tests/large-input/bench.ts
//
// Each program is built once in this process (after a small warm-up build), as the test does.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProgram } from '../../compiler/frontend/program.js';
import { lowerLoaded } from '../../compiler/driver/compile.js';
import { compileModule } from '../../compiler/driver/backend.js';
import { assemble } from '../../compiler/asm/assemble.js';
import { UserError } from '../../linker/diag.js';
import * as gen from './generate.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'out', 'large-input', 'bench');

const CASES: [string, string][] = [
  ['2,500 if statements', gen.ifChain(2500)],
  ['2,500-case switch', gen.bigSwitch(2500)],
  ['3,000 sequential loops', gen.sequentialLoops(3000)],
  ['250 sequential loops', gen.sequentialLoops(250)],
  ['1,000 sequential loops', gen.sequentialLoops(1000)],
  ['2,000 sequential loops', gen.sequentialLoops(2000)],
  ['loops nested 25 deep', gen.nestedLoops(25)],
  ['loops nested 100 deep', gen.nestedLoops(100)],
  ['loops nested 380 deep', gen.nestedLoops(380)],
  ['130,000-byte string', gen.bigString(130_000)],
  ['130,000-element table', gen.bigTable(130_000)],
  ['16 MiB zeroed', gen.zeroed(16 << 20)],
  ['64 MiB zeroed', gen.zeroed(64 << 20)],
  ['200 MB zeroed', gen.zeroed(200_000_000)],
  ['a + ... + a, 1,500 operands', gen.flatSum(1500)],
  ['2,000-deep ternary', gen.nestedTernary(2000)],
  ['2,000-long else-if', gen.elseIfChain(2000)],
  ['1,000 nested parentheses', gen.nestedParens(1000)],
  ['1,000-operand ||', gen.orChain(1000)],
  ['2,000 nested structs', gen.nestedStructs(2000)],
];

function timeBuild(name: string, source: string): { cells: string[]; result: string } {
  const dir = join(OUT, name.replace(/\W+/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.ts'), source);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] },
    files: ['main.ts', join(ROOT, 'runtime', 'prelude.d.ts')],
  }));
  const cells: string[] = [];
  const timed = <T>(f: () => T): T => {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      cells.push((performance.now() - t0).toFixed(0));
    }
  };
  try {
    const program = timed(() => loadProgram(join(dir, 'tsconfig.json')));
    const mod = timed(() => lowerLoaded(program));
    const items = timed(() => compileModule(mod));
    timed(() => assemble(items, name));
    return { cells, result: 'compiles' };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { cells, result: e.diagnostics.map((d) => d.code).join(' ') };
  }
}

timeBuild('warm-up', gen.sequentialLoops(20));
console.log('| input | load | lower | codegen | assemble | total ms | result |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const [name, source] of CASES) {
  const { cells, result } = timeBuild(name, source);
  const total = cells.reduce((a, c) => a + Number(c), 0);
  while (cells.length < 4) cells.push('');
  console.log(`| ${name} | ${cells.join(' | ')} | ${total} | ${result} |`);
}
