// Bounds-check elimination (compiler/passes/bounds.ts): which checks the optimizer removes and
// which it must keep. Each exported function below is compiled through the whole optimizer and
// the calls of __bounds_fail left in its body are counted; a program then runs natively to show
// that the proven accesses compute the right values and that an index the pass cannot prove
// still stops the program.

import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileToIR } from '../compiler/driver/compile.ts';
import { compileModule } from '../compiler/driver/backend.ts';
import type { Func } from '../compiler/ir/ir.ts';
import { buildAndRun, programSources, writeTsconfig } from './differential/native.ts';
import { requireTools } from './tools.js';

requireTools('gcc');

const OUT = resolve(import.meta.dirname, '..', 'out', 'bounds-elim');

const HOOK = `export function __bounds_fail(file: string, line: u32, index: u64, length: u64): never { unreachable(); }\n`;

/** Each case: a function `f` and the number of checks that must remain in it. */
const CASES: { name: string; kept: number; src: string }[] = [
  { name: 'loop to the length', kept: 0, src: 'function f(a: A): u64 { let s: u64 = 0; for (let i = 0; i < a.x.length; i++) s += a.x[i]; return s; }' },
  { name: 'loop to a smaller constant', kept: 0, src: 'function f(a: A): u64 { let s: u64 = 0; for (let i: u32 = 0; i < 10; i++) s += a.x[i]; return s; }' },
  { name: 'loop past the length', kept: 1, src: 'function f(a: A): u64 { let s: u64 = 0; for (let i = 0; i <= a.x.length; i++) s += a.x[i]; return s; }' },
  { name: 'early return on the bound, i32 index', kept: 0, src: 'function f(a: A, h: u64): u64 { if (h == 0 || h >= 64) return 0; return a.x[i32(h)]; }' },
  { name: 'early return one too far', kept: 1, src: 'function f(a: A, h: u64): u64 { if (h > 64) return 0; return a.x[h]; }' },
  { name: 'guard inside a loop on a variable bound', kept: 0, src: 'function f(a: A, n: i32): u64 { let s: u64 = 0; for (let i = 0; i < n; i++) if (i < 64) s += a.x[i]; return s; }' },
  { name: 'loop to a variable bounded first', kept: 0, src: 'function f(a: A, n: u32): u64 { if (n > 64) return 0; let s: u64 = 0; for (let i: u32 = 0; i < n; i++) s += a.x[i]; return s; }' },
  { name: 'loop to an unbounded variable', kept: 1, src: 'function f(a: A, n: u32): u64 { let s: u64 = 0; for (let i: u32 = 0; i < n; i++) s += a.x[i]; return s; }' },
  { name: 'signed index below the length only', kept: 1, src: 'function f(a: A, i: i32): u64 { return i < 64 ? a.x[i] : 0; }' },
  { name: 'signed index in range both ways', kept: 0, src: 'function f(a: A, i: i32): u64 { return i >= 0 && i < 64 ? a.x[i] : 0; }' },
  { name: 'mask, remainder and shift', kept: 0, src: 'function f(a: A, v: u32): u64 { return a.x[v & 63] + a.x[v % 64] + a.x[v >> 26] + a.y[u8(v)]; }' },
  { name: 'mask too wide', kept: 1, src: 'function f(a: A, v: u32): u64 { return a.x[v & 127]; }' },
  { name: 'index plus a constant under a guard', kept: 0, src: 'function f(a: A, i: u32): u64 { return i < 60 ? a.x[i + 3] : 0; }' },
  { name: 'index plus a constant past the guard', kept: 1, src: 'function f(a: A, i: u32): u64 { return i < 62 ? a.x[i + 3] : 0; }' },
];

const STRUCT = 'class A { x!: InlineArray<u64, 64>; y!: InlineArray<u8, 256>; }\n';

function keptChecks(name: string, src: string): number {
  const dir = join(OUT, name.replace(/\W+/g, '_'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'p.ts');
  writeFileSync(file, `${STRUCT}${HOOK}export ${src}\nexport function main(): void {}\n`);
  const m = compileToIR(writeTsconfig({ name, sources: [file] }, dir)).module;
  compileModule(m);
  const f = m.funcs.find((g) => g.name === 'f') as Func;
  let n = 0;
  for (const b of f.blocks) for (const i of b.insts) if (i.op === 'call' && i.callee.kind === 'sym' && i.callee.name === '__bounds_fail') n++;
  return n;
}

describe('bounds-check elimination', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.kept} check(s) kept`, () => {
      expect(keptChecks(c.name, c.src)).toBe(c.kept);
    });
  }

  it('proven accesses read the right elements; an unproven index out of range still fails', async () => {
    const file = join(OUT, 'run.ts');
    mkdirSync(OUT, { recursive: true });
    // out/bounds-elim/run.ts, printing through the conformance programs' library.
    writeFileSync(file, `import { print } from "../../tests/conformance/lib/print";
${STRUCT}
let a!: Inline<A>;
/** The guard is on h, the index its truncation to i32. */
function at_h(h: u64): u64 { if (h == 0 || h >= 64) return 0; return a.x[i32(h)]; }
/** Checked against n, which the caller may make larger than the length. */
function at(n: u32, i: u32): u64 { return i < n ? a.x[i] : 0; }
export function main(): void {
  for (let i = 0; i < a.x.length; i++) a.x[i] = u64(i);
  let s: u64 = 0;
  for (let h: u64 = 0; h < 100; h++) s += at_h(h);
  print(\`\${s} \${at(64, 63)}\`);
  print(\`\${at(65, 64)}\`);
  print("not reached");
}
`);
    const res = (await buildAndRun([{ name: 'run', sources: programSources(file) }], OUT)).get('run')!;
    expect(res.buildError).toBeUndefined();
    expect(res.stdout).toBe('2016 63\n');
    expect(res.signal).toBe('SIGILL');
  });
});
