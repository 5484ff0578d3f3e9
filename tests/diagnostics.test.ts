// Diagnostics: every file in tests/diagnostics/ marks the lines where the compiler must report an
// error with `// error CODE` (several codes per line allowed). The whole directory is compiled as
// one program (one TypeScript load), and each file's diagnostics (code and line) must equal its
// annotations exactly: nothing missing, nothing extra.
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { compileToIR } from '../compiler/driver/compile.js';
import { UserError, formatDiagnostic, type Diagnostic } from '../linker/diag.js';

const DIR = resolve('tests/diagnostics');
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts')).sort();

function expected(file: string): string[] {
  const out: string[] = [];
  readFileSync(join(DIR, file), 'utf8').split('\n').forEach((line, i) => {
    const comment = line.indexOf('// error ');
    if (comment < 0) return;
    for (const m of line.slice(comment).matchAll(/\b(TSK?\d+)\b/g)) out.push(`${i + 1}: ${m[1]}`);
  });
  return out.sort();
}

function diagnosticsOf(dir: string): Diagnostic[] {
  try {
    compileToIR(dir);
  } catch (e) {
    if (e instanceof UserError) return e.diagnostics;
    throw e;
  }
  return [];
}

describe('diagnostics', () => {
  let byFile: Map<string, Diagnostic[]>;
  beforeAll(() => {
    byFile = new Map();
    for (const d of diagnosticsOf(DIR)) {
      const f = d.loc?.file ?? '(none)';
      if (!byFile.has(f)) byFile.set(f, []);
      byFile.get(f)!.push(d);
    }
  });

  it('has at least 60 bad-input cases, each one a module', () => {
    const bad = files.filter((f) => expected(f).length > 0);
    expect(bad.length).toBeGreaterThanOrEqual(60);
    for (const f of files) expect(readFileSync(join(DIR, f), 'utf8'), f).toMatch(/^(export|import) /m);
  });

  it('reports nothing outside the test files but what async and decorators need from a full library', () => {
    const stray = [...byFile.keys()].filter((f) => !f.startsWith(DIR + '/'));
    expect(stray).toEqual(['(none)']);
    // Under noLib, TypeScript looks for Promise (async.ts) and ClassDecoratorContext (decorator.ts).
    expect(byFile.get('(none)')!.map((d) => d.code).sort()).toEqual(['TS2318', 'TS2552']);
  });

  for (const file of files) {
    it(file, () => {
      const got = (byFile.get(join(DIR, file)) ?? []).map((d) => `${d.loc!.line}: ${d.code}`).sort();
      const shown = (byFile.get(join(DIR, file)) ?? []).map((d) => formatDiagnostic(d)).join('\n');
      expect(got, shown).toEqual(expected(file));
    });
  }

  it('codes every compiler diagnostic in docs/diagnostics.md', async () => {
    const { CODES } = await import('../compiler/frontend/check.js');
    const doc = readFileSync('docs/diagnostics.md', 'utf8');
    for (const code of Object.values(CODES)) expect(doc, code).toContain(`| ${code} |`);
  });
});

describe('diagnostic format', () => {
  it('prints path:line:col - error CODE: message and a code frame with a caret', () => {
    const [d] = diagnosticsOf(join(DIR, 'var.ts').replace(/var\.ts$/, '')).filter((x) => x.loc?.file.endsWith('/var.ts'));
    const text = formatDiagnostic(d);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^tests\/diagnostics\/var\.ts:2:3 - error TSK1001: `var` is not supported/);
    expect(lines[2]).toBe('2   var x: i32 = 1; // error TSK1001');
    expect(lines[3]).toBe('    ^');
  });

  it('reports two modules exporting one name, and a missing program', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsk-dup-'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] },
      include: ['*.ts', resolve('runtime/prelude.d.ts')],
    }));
    writeFileSync(join(dir, 'a.ts'), 'export function tick(): void {}\nfunction helper(): void {}\n');
    writeFileSync(join(dir, 'b.ts'), 'export function tick(): void {}\nfunction helper(): void {}\n');
    const ds = diagnosticsOf(dir);
    expect(ds.map((d) => `${d.loc?.file.replace(dir + '/', '')}:${d.loc?.line} ${d.code}`)).toEqual(['b.ts:1 TSK3005']);
    expect(diagnosticsOf(join(dir, 'nowhere')).map((d) => d.code)).toEqual(['TSK3001']);
    mkdirSync(join(dir, 'empty'));
    expect(diagnosticsOf(join(dir, 'empty')).map((d) => d.code)).toEqual(['TSK3001']);
  });
});

describe('command line', () => {
  const cli = ['node_modules/.bin/vite-node', 'compiler/driver/cli.ts', '--'];

  it('exits 1 with diagnostics and a count, and no stack trace', async () => {
    const r = await execa(cli[0], [...cli.slice(1), 'tests/diagnostics', '--emit-ir'], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^tests\/diagnostics\/var\.ts:2:3 - error TSK1001: /m);
    expect(r.stderr).toMatch(/Found \d+ errors\.\n?$/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });

  it('prints the IR of a good program with --emit-ir', async () => {
    const r = await execa(cli[0], [...cli.slice(1), 'tests/frontend/kernel', '--emit-ir'], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/export function \$kernel_main\(w %\d+, l %\d+\) \{/);
    expect(r.stdout).toMatch(/intrin outb\.1\(1017, 0\)/);
  });
});
