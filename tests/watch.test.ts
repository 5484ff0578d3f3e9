// `make watch` (compiler/driver/watch.ts): rebuilds after each save in one process, with every
// cache warm (the back end's, the assembler's encodings, the programs' linked outputs). What it
// writes after edits must be what a build without any cache writes for the same sources. The
// edits: a small function inlined into the kernel's self-tests in other modules, and a constant
// the kernel and (through kernel-src/user/lib/) the user programs import.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriver, toolchainTree } from './toolchain-tree.js';

const tree = toolchainTree('watch-test-', ['kernel-src']);
const root = tree.root;

/** out/kernel.elf, out/kernel.s, out/kernel.map, out/initrd.tar and every out/user/*.elf of the tree. */
function outputs(): Record<string, Buffer> {
  const files = ['kernel.elf', 'kernel.s', 'kernel.map', 'initrd.tar', ...readdirSync(join(root, 'out/user')).map((n) => `user/${n}`)];
  return Object.fromEntries(files.sort().map((f) => [f, readFileSync(join(root, 'out', f))]));
}

function expectSame(a: Record<string, Buffer>, b: Record<string, Buffer>): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const f of Object.keys(a)) expect(Buffer.compare(a[f], b[f]), `out/${f} differs`).toBe(0);
}

let watcher: ChildProcess | undefined;
let log = '';
/** Resolves once the watcher has reported `n` rebuilds in all. */
function rebuilt(n: number): Promise<void> {
  return new Promise((done, fail) => {
    const check = () => {
      const errors = log.match(/\[watch\] \d+ error/);
      if (errors) fail(new Error(log));
      else if ((log.match(/\[watch\] out\/kernel\.elf rebuilt/g) ?? []).length >= n) done();
      else setTimeout(check, 100);
    };
    check();
  });
}

afterAll(() => {
  watcher?.kill();
  rmSync(root, { recursive: true, force: true });
});

describe('watch mode', () => {
  const logTs = join(root, 'kernel-src/lib/log.ts');
  const abiTs = join(root, 'kernel-src/abi/syscall.ts');
  const edits: [string, (s: string) => string][] = [
    [logTs, (s) => s.replace(/(export function capture_end\(\): usize \{\n\s*capture_buf = 0;)/, '$1 capture_cap = 0;')],
    [abiTs, (s) => s.replace(/(export const SYS_WRITE\b[^=]*= )(\d+)/, (_, decl, n) => `${decl}${Number(n) + 1000}`)],
  ];

  it('rebuilds after each edit the files a build without cache writes', async () => {
    watcher = spawn('node', [join(tree.driver, 'watch.js')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCARLETT_BUILD_JOBS: '1' } });
    watcher.stdout!.on('data', (d) => (log += d));
    watcher.stderr!.on('data', (d) => (log += d));
    await rebuilt(1);
    await new Promise((r) => setTimeout(r, 500)); // its watchers are set up after the first build
    let builds = 1;
    for (const [file, edit] of edits) {
      const before = readFileSync(file, 'utf8');
      expect(edit(before), `${file} no longer has what this test edits`).not.toBe(before);
      writeFileSync(file, edit(before));
      await rebuilt(++builds);
    }
    const watched = outputs();
    watcher.kill();
    const r = await runDriver(tree, 'build.js', ['kernel', '--no-cache']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expectSame(outputs(), watched);
  }, 900_000);
});
