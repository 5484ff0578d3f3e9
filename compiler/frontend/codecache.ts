// Loads a big CommonJS module (TypeScript's compiler: 9 MB of JavaScript) with a V8 code cache, the
// way Node 22's module.enableCompileCache() does (Node 20 has no such switch). Without it every
// build spends ~150 ms compiling typescript.js and more compiling its functions lazily as the
// parser and checker first run; with it V8 reuses the code compiled by an earlier build.
//
// The cache is written once, when a process that found none exits: by then it holds every
// function that process compiled. It lives in node_modules/.cache/, named after the module's size
// and modification time, so an updated module gets a new cache; V8 itself refuses a cache made by
// another V8 version or for other flags (then it is rewritten). A cache that cannot be read or
// written only costs the time it would have saved.

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

const require = createRequire(import.meta.url);

/** Compiles `specifier` into require's cache, so that a later require() of it finds it loaded. */
export function preloadWithCodeCache(specifier: string): void {
  const path = require.resolve(specifier);
  if (require.cache[path]) return;
  const cacheFile = cachePath(path);
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(readFileSync(path, 'utf8')), { filename: path, cachedData });
  const mod = new Module(path);
  mod.filename = path;
  script.runInThisContext()(mod.exports, createRequire(path), mod, path, dirname(path));
  mod.loaded = true;
  require.cache[path] = mod;
  if (cacheFile && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeCache(cacheFile, script));
}

/** Where the cache of a module under node_modules/ goes (none for other modules). */
function cachePath(path: string): string | undefined {
  const { size, mtimeMs } = statSync(path);
  const dir = packageCacheDir(path);
  return dir && join(dir, `${basename(path)}-${size}-${Math.trunc(mtimeMs)}.v8cache`);
}

/** node_modules/.cache/scarlett-os for a module installed under node_modules/ (npm ci clears it). */
export function packageCacheDir(modulePath: string): string | undefined {
  const at = modulePath.lastIndexOf('/node_modules/');
  return at < 0 ? undefined : join(modulePath.slice(0, at + '/node_modules'.length), '.cache', 'scarlett-os');
}

function readCache(file: string): Buffer | undefined {
  try {
    return existsSync(file) ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, script: vm.Script): void {
  try {
    writeAtomically(file, script.createCachedData());
  } catch {
    // read-only node_modules: no cache, same results
  }
}

/** Writes a file whole or not at all: parallel test workers may write the same cache at once. */
export function writeAtomically(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
