// A temporary tree that runs a copy of the compiled toolchain (out/toolchain, built by `make`)
// against the repository's sources: its out/ (build outputs, caches, the build server's socket)
// is its own, so a test can run `node .../build.js kernel` without touching the real out/.

import { execa } from 'execa';
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../compiler/driver/build.js';

/** `copy` names the directories the test edits: they are copied instead of linked. */
export function toolchainTree(prefix: string, copy: string[] = []): { root: string; driver: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, 'out/toolchain'), join(root, 'out/toolchain'), { recursive: true });
  for (const d of ['node_modules', 'linker', 'runtime', 'kernel-src']) {
    if (copy.includes(d)) cpSync(join(ROOT, d), join(root, d), { recursive: true });
    else symlinkSync(join(ROOT, d), join(root, d));
  }
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  return { root, driver: join(root, 'out/toolchain/compiler/driver') };
}

/** Runs a script of the tree's driver (build.js, client.js ...) in the tree (asynchronously: a
 *  long synchronous wait starves vitest's worker RPC). */
export async function runDriver(tree: { root: string; driver: string }, script: string, args: string[], env: Record<string, string> = {}) {
  const r = await execa('node', [join(tree.driver, script), ...args], { cwd: tree.root, env, reject: false, stripFinalNewline: false });
  return { status: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}
