// The kernel build as `make` runs it (buildKernel): every program's errors in one run, and link
// errors that point at the source line. (User programs are no longer linked into the kernel: they
// are files of the ramdisk, so a missing one is no link error.)

import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernel, buildProgram, ROOT } from '../compiler/driver/build.js';
import { LINUX } from '../compiler/driver/target.js';
import { UserError, formatDiagnostic, type Diagnostic } from '../linker/diag.js';

/** The diagnostics fn throws as a UserError (and fails the test if it throws anything else). */
function diagnosticsOf(fn: () => void): Diagnostic[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.diagnostics;
    throw e;
  }
  throw new Error('no error was reported');
}

/** A tree with its own kernel-src/ (`files`) and the repository's runtime/ (for the prelude). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'build-test-'));
  symlinkSync(join(ROOT, 'runtime'), join(root, 'runtime'));
  cpSync(join(ROOT, 'kernel-src/tsconfig.json'), join(root, 'kernel-src/tsconfig.json'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const USER_TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] },
  include: ['*.ts', '../../../runtime/prelude.d.ts'],
});

describe('kernel build', () => {
  it('reports the errors of the kernel and of every user program in one run', () => {
    const bad = (fn: string) => `export function ${fn}(): i32 {\n  var x: i32 = 1;\n  return x;\n}\n`;
    const root = tree({
      'kernel-src/main.ts': bad('kernel_main'),
      'kernel-src/user/alpha/tsconfig.json': USER_TSCONFIG,
      'kernel-src/user/alpha/main.ts': bad('main'),
      'kernel-src/user/beta/tsconfig.json': USER_TSCONFIG,
      'kernel-src/user/beta/main.ts': bad('main'),
    });
    const ds = diagnosticsOf(() => buildKernel(true, root));
    const where = ds.map((d) => `${d.loc!.file.slice(root.length + 1)}:${d.loc!.line} ${d.code}`).sort();
    expect(where).toEqual([
      'kernel-src/main.ts:2 TSK1001',
      'kernel-src/user/alpha/main.ts:2 TSK1001',
      'kernel-src/user/beta/main.ts:2 TSK1001',
    ]);
  });
});

describe('link errors', () => {
  it('name the function and source line of the reference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'build-test-'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] },
      include: ['*.ts', join(ROOT, 'runtime/prelude.d.ts')],
    }));
    const src = join(dir, 'main.ts');
    writeFileSync(src, [
      'declare const __user_nope_start: u8;',
      '',
      'export function main(): void {',
      '  let p: u64 = addr_of(__user_nope_start);',
      '  if (p == 0) return;',
      '}',
      '',
    ].join('\n'));
    const ds = diagnosticsOf(() => buildProgram({
      tsconfig: join(dir, 'tsconfig.json'), target: LINUX, quiet: true, out: join(dir, 'a.elf'),
    }));
    expect(ds.map((d) => d.code)).toEqual(['LNK0001']);
    const [d] = ds;
    expect(d.loc?.file).toBe(src);
    expect([4, 5]).toContain(d.loc?.line); // the address is taken at line 4 or where it is used
    expect(d.message).toMatch(new RegExp(`^undefined symbol __user_nope_start, referenced from main at \\S*main\\.ts:${d.loc!.line} \\(\\.text\\+0x[0-9a-f]+\\)$`));
    expect(formatDiagnostic(d)).not.toMatch(/tsconfig\.json/);
  });
});
