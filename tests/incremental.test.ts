// The back-end cache (compiler/driver/buildcache.ts) must not change a single byte: the kernel and
// its user programs built cold, built again from the cache, and rebuilt from the cache after an
// edit are the same files as a build without any cache. The edit changes a small function that is
// inlined into its callers in another module, so keys after inlining are what is tested.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernel, ROOT } from '../compiler/driver/build.js';

/** out/kernel.elf, out/kernel.s and every out/user/*.elf of a tree. */
function outputs(root: string): Record<string, Buffer> {
  const files = ['kernel.elf', 'kernel.s', ...readdirSync(join(root, 'out/user')).map((n) => `user/${n}`)];
  return Object.fromEntries(files.sort().map((f) => [f, readFileSync(join(root, 'out', f))]));
}

function expectSame(a: Record<string, Buffer>, b: Record<string, Buffer>): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const f of Object.keys(a)) expect(Buffer.compare(a[f], b[f]), `out/${f} differs`).toBe(0);
}

// Steps in separate tests, in order: one long synchronous test starves vitest's worker RPC.
describe('incremental build is byte-identical to a build without cache', () => {
  const root = mkdtempSync(join(tmpdir(), 'incremental-test-'));
  const log = join(root, 'kernel-src/lib/log.ts');
  let original = '';
  let edited = '';
  let plain: Record<string, Buffer> = {};

  it('builds without cache', () => {
    cpSync(join(ROOT, 'kernel-src'), join(root, 'kernel-src'), { recursive: true });
    symlinkSync(join(ROOT, 'runtime'), join(root, 'runtime'));
    original = readFileSync(log, 'utf8');
    // capture_end is small, so the inliner copies it into the kernel self-tests that call it.
    edited = original.replace(/(export function capture_end\(\): usize \{\n\s*capture_buf = 0;)/, '$1 capture_cap = 0;');
    expect(edited, 'kernel-src/lib/log.ts no longer has the capture_end this test edits').not.toBe(original);
    buildKernel(true, root, false);
    plain = outputs(root);
  }, 600_000);

  it('cold, with an empty cache', () => {
    buildKernel(true, root, true);
    expectSame(plain, outputs(root));
  }, 600_000);

  it('unchanged: every program from the cache', () => {
    buildKernel(true, root, true);
    expectSame(plain, outputs(root));
  }, 600_000);

  let incremental: Record<string, Buffer> = {};
  it('after a one-line edit: the kernel\'s other functions from the cache', () => {
    writeFileSync(log, edited);
    buildKernel(true, root, true);
    incremental = outputs(root);
  }, 600_000);

  it('the edited tree without cache gives the same files', () => {
    rmSync(join(root, 'out'), { recursive: true });
    buildKernel(true, root, false);
    const editedPlain = outputs(root);
    expectSame(editedPlain, incremental);
    expect(Buffer.compare(editedPlain['kernel.elf'], plain['kernel.elf'])).not.toBe(0);
  }, 600_000);

  it('after undoing the edit (from the in-memory cache)', () => {
    writeFileSync(log, original);
    buildKernel(true, root, true);
    expectSame(plain, outputs(root));
    rmSync(root, { recursive: true });
  }, 600_000);
});
