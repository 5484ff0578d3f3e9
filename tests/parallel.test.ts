// The parallel build (compiler/driver/parallel.ts: the user programs' back ends in a worker thread
// while the main thread compiles the kernel) writes the same bytes as the serial one, without and
// with the build cache. Runs the compiled toolchain (after `make`) in a tree of its own.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriver, toolchainTree } from './toolchain-tree.js';

const tree = toolchainTree('parallel-test-');
afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

async function build(jobs: number, ...args: string[]): Promise<Record<string, Buffer>> {
  const r = await runDriver(tree, 'build.js', ['kernel', ...args], { SCARLETT_BUILD_JOBS: String(jobs) });
  expect(r.status, r.stderr).toBe(0);
  const out = join(tree.root, 'out');
  const files = ['kernel.elf', 'kernel.s', 'kernel.map', 'initrd.tar', ...readdirSync(join(out, 'user')).map((n) => `user/${n}`)];
  return Object.fromEntries(files.sort().map((f) => [f, readFileSync(join(out, f))]));
}

function expectSame(a: Record<string, Buffer>, b: Record<string, Buffer>): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const f of Object.keys(a)) expect(Buffer.compare(a[f], b[f]), `out/${f} differs`).toBe(0);
}

describe('parallel kernel build', () => {
  let serial: Record<string, Buffer> = {};
  it('serial, without cache', async () => {
    serial = await build(1, '--no-cache');
    expect(Object.keys(serial).filter((f) => f.startsWith('user/')).length).toBeGreaterThan(1);
  }, 600_000);

  it('two threads, without cache: the same files', async () => expectSame(serial, await build(2, '--no-cache')), 600_000);

  it('two threads, cold cache, then every program from the cache: the same files', async () => {
    rmSync(join(tree.root, 'out/.cache'), { recursive: true, force: true });
    expectSame(serial, await build(2));
    expectSame(serial, await build(2));
  }, 600_000);
});
