// `make watch`: builds the kernel, then rebuilds it each time a source under kernel-src/ or
// runtime/ is saved, in the same process. The toolchain stays loaded and compiled by the JIT,
// TypeScript reuses its last program (only changed files are parsed and re-checked), and the
// back-end cache (buildcache.ts) keeps every unchanged program's objects and every unchanged
// function's code in memory: an edit costs roughly what it changed. It is also the build server
// (server.ts): a `make` or `client.js` in another terminal is built here, warm.

import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { buildKernel, primeKernel, ROOT } from './build.js';
import { formatDiagnostic, UserError } from '../../linker/diag.js';
import { serve } from './server.js';

const DIRS = ['kernel-src', 'runtime', 'linker'].map((d) => join(ROOT, d));
const SOURCE = /\.(ts|S|toml|json)$/;

function rebuild(): void {
  const start = performance.now();
  watchAll(); // directories created since
  try {
    buildKernel(true);
    const ms = Math.round(performance.now() - start);
    console.log(`[watch] out/kernel.elf rebuilt in ${ms} ms (${new Date().toLocaleTimeString()})`);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    for (const d of e.diagnostics) console.error(formatDiagnostic(d));
    const ms = Math.round(performance.now() - start);
    console.error(`[watch] ${e.diagnostics.length} error(s) in ${ms} ms; out/kernel.elf unchanged. Waiting for a save.`);
  }
}

let timer: NodeJS.Timeout | undefined;
/** Editors save in several writes (and rename over the file): one build once they are done. */
function schedule(file: string | null): void {
  if (file && !SOURCE.test(file)) return;
  clearTimeout(timer);
  timer = setTimeout(rebuild, 30);
}

/** Every directory under `dir`. Each gets its own watcher: Node 20's recursive watch on Linux lost
 *  files that editors (and sed -i, git checkout) replace by renaming a new file over them. */
function directories(dir: string): string[] {
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [dir, ...subdirs.flatMap((e) => directories(join(dir, e.name)))];
}

const watchers = new Map<string, FSWatcher>();
function watchAll(): void {
  for (const dir of DIRS.flatMap(directories)) {
    if (!watchers.has(dir)) watchers.set(dir, watch(dir, (_event, file) => schedule(file)));
  }
}

process.once('SIGINT', () => process.exit(130)); // so that the server's exit handler removes its socket
rebuild();
watchAll();
// The first build took what it could whole from the cache; what an edit needs is loaded now,
// after the outputs are there (a save meanwhile is rebuilt once this is done).
setTimeout(() => console.log(`[watch] ready for edits: everything loaded in ${primeKernel()} ms`), 0);
console.log(`[watch] watching ${DIRS.map((d) => d.slice(ROOT.length + 1) + '/').join(', ')} (Ctrl-C to stop)`);
const served = await serve(console.log, () => console.log('[watch] no longer serving builds; still watching'));
console.log(served ? '[watch] serving `make` and client.js builds too' : '[watch] another build server runs for this tree: not serving');
