// The back-end cache (compiler/driver/buildcache.ts) must not change a single byte: the kernel and
// its user programs built cold, built again from the cache, and rebuilt from the cache after an
// edit are the same files as a build without any cache. The edit changes a small function that is
// inlined into its callers in another module, so keys after inlining are what is tested. The
// builds run the compiled toolchain in a child process (a synchronous build in the test's own
// process starves vitest's worker RPC on a loaded machine).

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriver, toolchainTree } from './toolchain-tree.js';

const tree = toolchainTree('incremental-test-', ['kernel-src']);
const root = tree.root;

/** out/kernel.elf, out/kernel.s and every out/user/*.elf of the tree. */
function outputs(): Record<string, Buffer> {
  const files = ['kernel.elf', 'kernel.s', ...readdirSync(join(root, 'out/user')).map((n) => `user/${n}`)];
  return Object.fromEntries(files.sort().map((f) => [f, readFileSync(join(root, 'out', f))]));
}

function expectSame(a: Record<string, Buffer>, b: Record<string, Buffer>): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const f of Object.keys(a)) expect(Buffer.compare(a[f], b[f]), `out/${f} differs`).toBe(0);
}

async function build(cache: boolean): Promise<Record<string, Buffer>> {
  const r = await runDriver(tree, 'build.js', cache ? ['kernel'] : ['kernel', '--no-cache']);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return outputs();
}

describe('incremental build is byte-identical to a build without cache', () => {
  const log = join(root, 'kernel-src/lib/log.ts');
  const original = readFileSync(log, 'utf8');
  // capture_end is small, so the inliner copies it into the kernel self-tests that call it.
  const edited = original.replace(/(export function capture_end\(\): usize \{\n\s*capture_buf = 0;)/, '$1 capture_cap = 0;');
  let plain: Record<string, Buffer> = {};
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds without cache', async () => {
    expect(edited, 'kernel-src/lib/log.ts no longer has the capture_end this test edits').not.toBe(original);
    plain = await build(false);
  }, 600_000);

  it('cold, with an empty cache', async () => {
    expectSame(plain, await build(true));
  }, 600_000);

  it('unchanged: every program from the cache', async () => {
    expectSame(plain, await build(true));
  }, 600_000);

  let incremental: Record<string, Buffer> = {};
  it('after a one-line edit: the kernel\'s other functions from the cache', async () => {
    writeFileSync(log, edited);
    incremental = await build(true);
  }, 600_000);

  it('the edited tree without cache gives the same files', async () => {
    const editedPlain = await build(false);
    expectSame(editedPlain, incremental);
    expect(Buffer.compare(editedPlain['kernel.elf'], plain['kernel.elf'])).not.toBe(0);
  }, 600_000);

  it('after undoing the edit (from the cache)', async () => {
    writeFileSync(log, original);
    expectSame(plain, await build(true));
  }, 600_000);

  // A cache file is a hint, never trusted: one that does not read back (another node, a torn
  // disk) is rebuilt. The kernel's whole-program files are garbage here, so its build reaches
  // the function entries, each of which is damaged too.
  it('after its cache files are damaged: rebuilt, the same files', async () => {
    const cache = join(root, 'out/.cache');
    for (const kind of ['linked', 'program', 'bodies']) writeFileSync(join(cache, `${kind}-kernel.bin`), 'not a cache file');
    const closures = join(cache, 'closures-kernel.bin');
    const entries = deserialize(readFileSync(closures)) as [string, Uint8Array][];
    expect(entries.length).toBeGreaterThan(100);
    writeFileSync(closures, serialize(entries.map(([k]) => [k, Uint8Array.of(0xff, 0x0f, 0x42)])));
    const r = await runDriver(tree, 'build.js', ['kernel']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/reused\s+kernel-src: 0 of \d+ functions/);
    expectSame(plain, outputs());
  }, 600_000);

  // The user programs' outputs are kept by the texts of their sources (buildcache.ts): an edit of a
  // file they import only through another (kernel-src/user/lib/ imports kernel-src/abi/) must
  // rebuild them.
  it('after an edit of a file the user programs import indirectly', async () => {
    const abi = join(root, 'kernel-src/abi/syscall.ts');
    const before = readFileSync(abi, 'utf8');
    const after = before.replace(/(export const SYS_WRITE\b[^=]*= )(\d+)/, (_, decl, n) => `${decl}${Number(n) + 1000}`);
    expect(after, 'kernel-src/abi/syscall.ts no longer has the SYS_WRITE this test edits').not.toBe(before);
    writeFileSync(abi, after);
    try {
      const cached = await build(true);
      const uncached = await build(false);
      expectSame(uncached, cached);
      expect(Buffer.compare(cached['user/demo.elf'], plain['user/demo.elf'])).not.toBe(0);
    } finally {
      writeFileSync(abi, before);
    }
  }, 600_000);
});
