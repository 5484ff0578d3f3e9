// Builds programs for the Linux target with compiler/driver/build.ts and runs them, two at a time.
// Shared by the conformance test, the differential test and the batch script.

import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface NativeProgram {
  name: string; // unique, used as the output file's path under outDir
  sources: string[];
}

export interface NativeResult {
  buildError?: string;
  stdout?: string;
  exitCode?: number;
  signal?: string;
}

/** The program's modules: the entry and everything it imports, transitively (relative imports). */
export function programSources(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*import\s[^;]*?from\s+["'](\.[^"']+)["']/gm))
      visit(resolve(dirname(file), m[1].endsWith('.ts') ? m[1] : m[1] + '.ts'));
  };
  visit(resolve(entry));
  return [...seen];
}

/** buildProgram takes a tsconfig whose files are the program: one per program, under outDir. */
export function writeTsconfig(p: NativeProgram, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const config = {
    compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] },
    files: [...p.sources, join(ROOT, 'runtime', 'prelude.d.ts')],
  };
  const path = join(dir, 'tsconfig.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

async function runPool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/**
 * Compiles every program in this process with buildProgram (one after the other: the compiler's
 * start-up is paid once), then runs the executables with a pool of two. A build failure is recorded per program,
 * with its diagnostics, and does not stop the others.
 */
/** Lets the event loop run between long synchronous steps: a worker that blocks it for a minute
 *  misses vitest's RPC deadline ("Timeout calling onTaskUpdate") on a loaded machine. */
export const yieldToLoop = () => new Promise<void>((done) => setImmediate(done));

export async function buildAndRun(programs: NativeProgram[], outDir: string, timeoutMs = 10_000): Promise<Map<string, NativeResult>> {
  // compiler/driver/build.ts: compile + assemble + link, the same path `make` takes.
  const { buildProgram } = await import('../../compiler/driver/build.ts');
  const { LINUX } = await import('../../compiler/driver/target.ts');
  const { formatDiagnostic, UserError } = await import('../../linker/diag.ts');
  const results = new Map<string, NativeResult>();
  for (const p of programs) {
    const out = join(outDir, p.name);
    try {
      buildProgram({
        tsconfig: writeTsconfig(p, join(outDir, '.cfg', p.name)),
        target: LINUX,
        out,
        quiet: true,
      });
      results.set(p.name, {});
    } catch (e) {
      const msg = e instanceof UserError
        ? e.diagnostics.map((d) => formatDiagnostic(d)).join('\n')
        : String((e as Error)?.stack ?? e);
      results.set(p.name, { buildError: msg });
    }
    await yieldToLoop();
  }
  await runPool(programs, 2, async (p) => {
    const res = results.get(p.name)!;
    if (res.buildError) return;
    const r = await execa(join(outDir, p.name), { reject: false, timeout: timeoutMs, stripFinalNewline: false });
    res.stdout = String(r.stdout);
    res.exitCode = r.exitCode;
    res.signal = r.signal ?? undefined;
    if (res.exitCode === undefined && !res.signal) res.buildError = `cannot run: ${r.message}`;
  });
  return results;
}
