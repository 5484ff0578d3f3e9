// Runs generated programs natively and under node and compares their output.
//
// To keep the native side fast, programs are linked in groups: each program is a module with its
// own exported entry `run_<seed>`, and one main module per group calls them in turn, printing
// `== <seed>` before each. One compile + link per group instead of per program; the output is
// split at the markers and compared program by program. If a group fails to build, its programs
// are built one by one so that the failure is pinned on the program that causes it.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import vm from 'node:vm';
import { generateProgram } from './gen.ts';
import { generateWide, WIDE_PRELUDE } from './gen-wide.ts';
import { buildAndRun, yieldToLoop, type NativeResult } from './native.ts';
import { runUnderNode } from './shim.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PRINT = join(ROOT, 'tests', 'conformance', 'lib', 'print');

/** 'narrow': i32/u32 programs checked through the shim (gen.ts); 'wide': all widths, checked by
 * the BigInt JavaScript rendering of the same program (gen-wide.ts). */
export type Mode = 'narrow' | 'wide';

function source(mode: Mode, seed: number, entry: string, printImport: string): string {
  return mode === 'wide' ? generateWide(seed, entry, printImport).ts : generateProgram(seed, entry, printImport);
}

/** Runs a wide program's JavaScript rendering in a fresh context: its lines, or the error. */
export function runWideUnderNode(seed: number, timeoutMs = 10_000): { stdout: string; error?: string } {
  const lines: string[] = [];
  const context = vm.createContext({ P: (s: string) => lines.push(s + '\n') });
  try {
    vm.runInContext(WIDE_PRELUDE + generateWide(seed).js, context, { timeout: timeoutMs });
    return { stdout: lines.join('') };
  } catch (e) {
    return { stdout: lines.join(''), error: String((e as Error)?.stack ?? e) };
  }
}

export interface Outcome {
  seed: number;
  node: string;
  nodeError?: string;
  native?: string;
  nativeError?: string; // build error, signal or exit code
}

function importPath(fromDir: string): string {
  const p = relative(fromDir, PRINT);
  return p.startsWith('.') ? p : './' + p;
}

/** Splits a group's output at the `== <seed>` marker lines. */
function splitBySeed(out: string): Map<number, string> {
  const parts = new Map<number, string>();
  let seed = -1;
  let acc: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^== (\d+)$/.exec(line);
    if (m) {
      if (seed >= 0) parts.set(seed, acc.join(''));
      seed = Number(m[1]);
      acc = [];
    } else if (seed >= 0) {
      acc.push(line + '\n');
    }
  }
  if (seed >= 0) parts.set(seed, acc.join('').replace(/\n$/, ''));
  return parts;
}

function nativeFailure(r: NativeResult | undefined): string | undefined {
  if (!r) return 'not built';
  if (r.buildError) return `build failed:\n${r.buildError}`;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.exitCode !== 0) return `exit code ${r.exitCode}`;
  return undefined;
}

/** Generates, runs and compares the programs for `seeds`, working in `dir`. */
export async function runDifferential(seeds: number[], dir: string, groupSize = 30, mode: Mode = 'narrow'): Promise<Outcome[]> {
  rmSync(dir, { recursive: true, force: true });
  const outcomes = new Map<number, Outcome>();
  const groups: { name: string; seeds: number[]; main: string; sources: string[] }[] = [];
  for (let g = 0; g * groupSize < seeds.length; g++) {
    const gs = seeds.slice(g * groupSize, (g + 1) * groupSize);
    const gdir = join(dir, `g${g}`);
    mkdirSync(gdir, { recursive: true });
    const sources: string[] = [];
    for (const seed of gs) {
      const file = join(gdir, `p${seed}.ts`);
      writeFileSync(file, source(mode, seed, `run_${seed}`, importPath(gdir)));
      sources.push(file);
    }
    const main = join(gdir, 'main.ts');
    writeFileSync(main, [
      `import { print } from "${importPath(gdir)}";`,
      ...gs.map((s) => `import { run_${s} } from "./p${s}";`),
      '',
      'export function main(): void {',
      ...gs.flatMap((s) => [`  print("== ${s}");`, `  run_${s}();`]),
      '}',
      '',
    ].join('\n'));
    groups.push({ name: `g${g}`, seeds: gs, main, sources: [main, ...sources, PRINT + '.ts'] });
  }

  // node: each group as one program, like natively (wide programs: each on its own, in BigInt).
  if (mode === 'wide') {
    for (const seed of seeds) {
      const r = runWideUnderNode(seed);
      outcomes.set(seed, { seed, node: r.stdout, nodeError: r.error });
      await yieldToLoop();
    }
  } else for (const g of groups) {
    const r = runUnderNode(g.main, { timeoutMs: 60_000 });
    const parts = splitBySeed(r.stdout);
    for (const seed of g.seeds) outcomes.set(seed, { seed, node: parts.get(seed) ?? '', nodeError: r.error });
    await yieldToLoop();
  }

  // natively: groups first, then the programs of any group that did not build, one by one.
  const native = await buildAndRun(groups.map((g) => ({ name: g.name, sources: g.sources })), join(dir, 'bin'));
  const retry: { name: string; sources: string[]; seed: number }[] = [];
  for (const g of groups) {
    const r = native.get(g.name);
    if (r?.buildError) {
      for (const seed of g.seeds) retry.push(...singleProgram(dir, seed, mode));
      continue;
    }
    const parts = splitBySeed(r?.stdout ?? '');
    const failure = nativeFailure(r);
    for (const seed of g.seeds) {
      const o = outcomes.get(seed)!;
      o.native = parts.get(seed);
      if (failure) o.nativeError = failure;
    }
  }
  if (retry.length) {
    const single = await buildAndRun(retry, join(dir, 'bin'));
    for (const p of retry) {
      const r = single.get(p.name);
      const o = outcomes.get(p.seed)!;
      o.native = r?.stdout;
      o.nativeError = nativeFailure(r);
    }
  }
  return seeds.map((s) => outcomes.get(s)!);
}

function singleProgram(dir: string, seed: number, mode: Mode) {
  const sdir = join(dir, 'single');
  mkdirSync(sdir, { recursive: true });
  const file = join(sdir, `p${seed}.ts`);
  writeFileSync(file, source(mode, seed, 'main', importPath(sdir)));
  return [{ name: `single/p${seed}`, sources: [file, PRINT + '.ts'], seed }];
}

/** True when the program behaved the same natively and under node. */
export function agrees(o: Outcome): boolean {
  return !o.nodeError && !o.nativeError && o.native === o.node;
}

/** A failing program as a conformance case: standalone, with node's output as the expectation. */
export function asConformanceCase(o: Outcome, mode: Mode = 'narrow'): string {
  const src = (mode === 'wide' ? '// node: skip -- 64-bit values; the expectation was computed in BigInt by gen-wide.ts\n' : '') +
    source(mode, o.seed, 'main', '../lib/print');
  const why = o.nativeError ? o.nativeError.split('\n')[0] : 'native output differed from node';
  return `${src}\n// Saved by tests/differential/run-batch.ts: ${why}.\n/* expect:\n${o.node}*/\n`;
}
