// Loading programs (compiler/frontend/program.ts): programs with the same compiler options share one
// TypeScript program and one type check, and each still sees only its own files and errors.
import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { preloadWithCodeCache } from '../compiler/frontend/codecache.js';
import { loadProgram, loadPrograms, type Program } from '../compiler/frontend/program.js';
import { compileToIR, lowerLoaded } from '../compiler/driver/compile.js';
import { printModule } from '../compiler/ir/print.js';

const names = (p: Program) => p.files.map((f) => `${basename(dirname(f.fileName))}/${basename(f.fileName)}`);

describe('loadPrograms', () => {
  it('checks programs with the same options together, each with its own files and errors', () => {
    const [good, bad] = loadPrograms(['tests/program/good', 'tests/program/bad']);
    expect(good.program).toBe(bad.program);
    expect(names(good)).toEqual(['good/main.ts', 'program/shared.ts']);
    expect(names(bad)).toEqual(['bad/main.ts', 'program/shared.ts']);
    expect(good.tsDiagnostics).toEqual([]);
    expect(bad.tsDiagnostics.map((d) => [d.code, basename(d.loc!.file), d.loc!.line])).toEqual([['TS2554', 'main.ts', 4]]);
  });

  it('gives the same errors as loading each program alone', () => {
    const alone = loadProgram('tests/program/bad');
    const [, together] = loadPrograms(['tests/program/good', 'tests/program/bad']);
    expect(together.tsDiagnostics).toEqual(alone.tsDiagnostics);
    expect(names(together)).toEqual(names(alone));
  });

  it('loads a script (no import or export) in a program of its own', () => {
    const [good, script] = loadPrograms(['tests/program/good', 'tests/program/script']);
    expect(good.program).not.toBe(script.program);
    expect(names(good)).toEqual(['good/main.ts', 'program/shared.ts']);
    expect(names(script)).toEqual(['script/main.ts']);
    expect(script.tsDiagnostics).toEqual([]);
  });

  it('lowers the kernel and a user program loaded together to the same IR as loaded alone', () => {
    const [user, kernel] = loadPrograms(['kernel-src/user/demo', 'kernel-src']);
    expect(user.program).toBe(kernel.program);
    expect(printModule(lowerLoaded(user))).toBe(printModule(compileToIR('kernel-src/user/demo').module));
    expect(printModule(lowerLoaded(kernel))).toBe(printModule(compileToIR('kernel-src').module));
  });
});

describe('incremental type check', () => {
  it('re-checks a file whose import changed, and keeps reporting errors of unchanged files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'incremental-'));
    const options = { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['*.ts', resolve('runtime/prelude.d.ts')] }));
    const a1 = 'export function f(x: u32): u32 {\n  return x;\n}\n';
    const a2 = 'export function f(x: u32, y: u32): u32 {\n  return x + y;\n}\n';
    writeFileSync(join(dir, 'a.ts'), a1);
    writeFileSync(join(dir, 'b.ts'), 'import { f } from "./a";\n\nexport function g(): u32 {\n  return f(1);\n}\n');
    const errors = () => loadProgram(dir).tsDiagnostics.map((d) => `${basename(d.loc!.file)}:${d.loc!.line} ${d.code}`);
    expect(errors()).toEqual([]);
    writeFileSync(join(dir, 'a.ts'), a2); // b.ts is unchanged, but its call no longer fits
    expect(errors()).toEqual(['b.ts:4 TS2554']);
    expect(errors()).toEqual(['b.ts:4 TS2554']); // nothing changed: the same error, from the build info
    writeFileSync(join(dir, 'a.ts'), a1);
    expect(errors()).toEqual([]);
  });
});

describe('tsconfig read once per process', () => {
  it('sees files added and removed since, in the directory and in new subdirectories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const options = { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['**/*.ts', resolve('runtime/prelude.d.ts')] }));
    writeFileSync(join(dir, 'a.ts'), 'export function a(): void {}\n');
    const files = () => loadProgram(dir).files.map((f) => f.fileName.slice(dir.length + 1));
    expect(files()).toEqual(['a.ts']);
    writeFileSync(join(dir, 'b.ts'), 'export function b(): void {}\n');
    expect(files()).toEqual(['a.ts', 'b.ts']);
    mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
    writeFileSync(join(dir, 'sub/deeper/c.ts'), 'export function c(): void {}\n');
    expect(files()).toEqual(['a.ts', 'b.ts', 'sub/deeper/c.ts']);
    rmSync(join(dir, 'b.ts'));
    expect(files()).toEqual(['a.ts', 'sub/deeper/c.ts']);
  });
});

describe('preloadWithCodeCache', () => {
  it('puts the module in require\'s cache, loaded as CommonJS with its own require and __dirname', () => {
    const require = createRequire(import.meta.url);
    const path = require.resolve('./program/cjs/counter.cjs');
    delete require.cache[path];
    preloadWithCodeCache(path);
    expect(require.cache[path]?.loaded).toBe(true);
    const m = require('./program/cjs/counter.cjs');
    expect([m.next(), m.next(), m.path, m.dir]).toEqual([1, 2, 'counter.cjs', dirname(path)]);
    expect(require('./program/cjs/counter.cjs')).toBe(m); // loaded once
  });
});
