// The benchmark programs themselves are correct: every tests/bench/codegen/<name>.ts builds with our
// toolchain and prints exactly the checksum line its C twin <name>.c prints when built by gcc with
// the same flags `make bench` uses. Natively, no valgrind, no timing: the numbers are `make bench`'s
// business (tests/bench/run.mjs); this only guarantees they compare like with like.

import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildAndRun, type NativeResult } from './differential/native.ts';
// @ts-expect-error -- plain JavaScript module without type declarations
import { benchPrograms, GCC_BUILDS, GCC_COMMON } from './bench/run.mjs';
import { requireTools } from './tools.js';

requireTools('gcc');

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'tests', 'bench', 'codegen');
const OUT = join(ROOT, 'out', 'bench-test');

const names: string[] = benchPrograms();
const builds: { key: string; flags: string[] }[] = GCC_BUILDS;

describe('benchmark programs', () => {
  it('there are at least 6, each with a C twin', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const n of names) expect(existsSync(join(SRC, `${n}.c`)), `${n}.c`).toBe(true);
  });

  it('type-check with typescript 7 against the prelude', async () => {
    const r = await execa(join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', SRC], { reject: false });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('benchmark programs agree with their C twins', () => {
  let ours = new Map<string, NativeResult>();
  const theirs = new Map<string, string>(); // `${build}/${name}` -> stdout

  beforeAll(async () => {
    const programs = names.map((n) => ({ name: n, sources: [join(SRC, `${n}.ts`), join(SRC, 'lib', 'out.ts')] }));
    ours = await buildAndRun(programs, join(OUT, 'ours'), 20_000);
    for (const b of builds) {
      mkdirSync(join(OUT, b.key), { recursive: true });
      for (const n of names) {
        const exe = join(OUT, b.key, n);
        await execa('gcc', [...GCC_COMMON, ...b.flags, '-o', exe, join(SRC, `${n}.c`)]);
        theirs.set(`${b.key}/${n}`, (await execa(exe, { stripFinalNewline: false, timeout: 20_000 })).stdout);
      }
    }
  }, 600_000);

  for (const n of names) {
    it(n, () => {
      const r = ours.get(n)!;
      expect(r.buildError).toBeUndefined();
      expect({ exitCode: r.exitCode, signal: r.signal }).toEqual({ exitCode: 0, signal: undefined });
      // one line: the program's name and a 64-bit checksum; a constant would be caught by the C twin
      expect(r.stdout).toMatch(new RegExp(`^${n} 0x[0-9a-f]{16}\\n$`));
      for (const b of builds) expect(r.stdout, `vs ${b.key}`).toBe(theirs.get(`${b.key}/${n}`));
    });
  }
});
