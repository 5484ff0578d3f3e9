// The conformance suite: every program in tests/conformance/<area>/<name>.ts prints through
// lib/print.ts, and the block comment `/* expect:\n...\n*/` at its end is its exact stdout.
//
// Each program is checked by up to three judges:
//   - natively: compiled for the Linux target by compiler/driver/build.ts (buildProgram), linked with
//     runtime/linux/start.S, run; stdout (and the exit status) must match;
//   - under node, through tests/differential/shim.ts, unless its first line says `// node: skip`
//     (with the reason): node is an oracle no one here wrote;
//   - programs with a sibling `<name>.c` (struct layouts) are also compiled by gcc, whose output
//     must equal the same expect block: gcc is the authority on System V layout.
// An `// expect-signal: SIGFPE` line says the program must die by that signal after its output.
// All programs are type-checked with typescript 7 (tsc) against the prelude first.

import { describe, it, expect, beforeAll } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { runUnderNode } from './differential/shim.ts';
import { buildAndRun, programSources, type NativeResult } from './differential/native.ts';
import { requireTools } from './tools.js';

requireTools('gcc');

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'tests', 'conformance');
const OUT = join(ROOT, 'out', 'conformance');

interface Case {
  file: string; // absolute path of the program
  name: string; // area/name
  expected: string;
  nodeSkip?: string;
  signal?: string;
}

function parseCase(file: string, text = readFileSync(file, 'utf8')): Case {
  const m = /\/\* expect:\n([\s\S]*?)\*\/\s*$/.exec(text);
  if (!m) throw new Error(`${file}: no /* expect: ... */ block at the end`);
  const first = text.split('\n', 1)[0];
  const skip = /^\/\/ node: skip\b(.*)$/.exec(first);
  const signal = /^\/\/ expect-signal: (\w+)/m.exec(text);
  return {
    file,
    name: relative(DIR, file).replace(/\.ts$/, ''),
    expected: m[1],
    nodeSkip: skip ? skip[1].replace(/^\s*--\s*/, '') || 'no reason given' : undefined,
    signal: signal?.[1],
  };
}

function findPrograms(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== 'lib') files.push(...findPrograms(p));
    } else if (entry.endsWith('.ts') && dir !== DIR) {
      files.push(p);
    }
  }
  return files;
}

const cases = findPrograms(DIR).map((f) => parseCase(f));

describe('conformance programs', () => {
  it('there are at least 200, each with an expect block', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it('type-check with typescript 7 against the prelude', async () => {
    const r = await execa('npx', ['tsc', '-p', join(DIR, 'tsconfig.json')], { cwd: ROOT, reject: false });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('conformance under node (shim)', () => {
  for (const c of cases.filter((c) => !c.nodeSkip)) {
    it(c.name, () => {
      const r = runUnderNode(c.file, { timeoutMs: 5000 });
      if (c.signal) {
        expect(r.error).toBeDefined(); // node cannot trap on division; the program must at least not finish
      } else {
        expect(r.error).toBeUndefined();
        expect(r.exitCode).toBe(0);
      }
      expect(r.stdout).toBe(c.expected);
    });
  }
});

describe('struct layouts agree with gcc', () => {
  for (const c of cases.filter((c) => existsSync(c.file.replace(/\.ts$/, '.c')))) {
    it(c.name, async () => {
      const exe = join(OUT, 'gcc', c.name.replace(/\//g, '_'));
      mkdirSync(dirname(exe), { recursive: true });
      await execa('gcc', ['-O0', '-o', exe, c.file.replace(/\.ts$/, '.c')]);
      const r = await execa(exe);
      expect(r.stdout + '\n').toBe(c.expected);
    });
  }
});

// ---- natively, on the Linux target ----

describe('conformance natively (linux target)', () => {
  let results = new Map<string, NativeResult>();

  beforeAll(async () => {
    const programs = cases.map((c) => ({ name: c.name, sources: programSources(c.file) }));
    results = await buildAndRun(programs, join(OUT, 'linux'));
  }, 900_000);

  for (const c of cases) {
    it(c.name, () => {
      const r = results.get(c.name);
      expect(r, 'not built').toBeDefined();
      expect(r!.buildError).toBeUndefined();
      expect(r!.stdout).toBe(c.expected);
      if (c.signal) expect(r!.signal).toBe(c.signal);
      else expect({ exitCode: r!.exitCode, signal: r!.signal }).toEqual({ exitCode: 0, signal: undefined });
    });
  }
});
