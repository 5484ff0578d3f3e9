// A lowered program to objects: the back end (backend.ts), the assembler, the program's start
// files, and the build cache (buildcache.ts) around them. What build.ts does after the front end,
// on the main thread or in the back-end worker (worker.ts): this module loads no TypeScript.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ObjectFile } from '../../linker/object.js';
import { formatDiagnostic, type Diagnostic } from '../../linker/diag.js';
import type { Module } from '../ir/ir.js';
import { assemble } from '../asm/assemble.js';
import { parseAtt } from '../asm/att.js';
import { formatListing } from '../asm/listing.js';
import { compileModule } from './backend.js';
import { BuildCache, type CompiledProgram } from './buildcache.js';

/** Prints `  phase     what                                  123 ms` after running fn. */
export function phase<T>(quiet: boolean | undefined, name: string, what: string, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  const ms = Math.round(performance.now() - start);
  if (!quiet) console.log(`  ${name.padEnd(10)}${what.padEnd(40)}${String(ms).padStart(6)} ms`);
  return result;
}

/** Start files assembled in this process, by path: every build links the same ones again. */
const assembled = new Map<string, { text: string; obj: ObjectFile; warnings: Diagnostic[] }>();

/** Assembles a .S file; its warnings (GNU as's: a value cut to its field ...) go to stderr. The
 *  object is shared by the builds that read the same text (the linker only reads its input). */
export function assembleFile(path: string): ObjectFile {
  const text = readFileSync(path, 'utf8');
  const known = assembled.get(path);
  const warnings: Diagnostic[] = known?.text === text ? known.warnings : [];
  try {
    if (known?.text === text) return known.obj;
    const obj = assemble(parseAtt(text, path, warnings), path, warnings);
    assembled.set(path, { text, obj, warnings });
    return obj;
  } finally {
    for (const w of warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  }
}

/** What the back end of one program needs besides its IR (plain data: it is sent to the worker). */
export interface CodegenInput {
  name: string; // for the phase lines
  tsconfig: string; // the program's (the name of its object)
  target: string; // the target's name, part of the cache key
  startFiles: string[]; // assembled and linked with it: the target's, then the program's own
  emitAsm?: string; // write the compiler's listing here
  quiet?: boolean;
  cache?: { dir: string; name: string }; // the build cache to use (cacheFor)
  sources?: string; // the key of the program's sources (build.ts, sourcesKey): its output is kept under it too
  prime?: boolean; // compiled even if its output is cached (build.ts, primeKernel)
}

const caches = new Map<string, BuildCache>();

/** The back-end cache of program `name` in tree `root`: out/.cache/, kept in memory for the process. */
export function cacheFor(root: string, name: string): { dir: string; name: string } {
  return { dir: join(root, 'out/.cache'), name };
}

export function cacheOf(c: { dir: string; name: string }): BuildCache {
  const key = `${c.dir}\0${c.name}`;
  if (!caches.has(key)) caches.set(key, new BuildCache(c.dir, c.name));
  return caches.get(key)!;
}

/** Compiles a lowered program and assembles it with its start files: the objects to link, and its listing if asked. */
export function codegen(mod: Module, o: CodegenInput): CompiledProgram {
  const cache = o.cache && cacheOf(o.cache);
  // The whole input of the back end and the assembler: the IR, the start files, the target.
  const key = cache?.programKey(mod, [o.tsconfig, o.target, String(!!o.emitAsm), ...o.startFiles.flatMap((f) => [f, readFileSync(f)])]);
  const hit = key && !o.prime ? cache!.getProgram(key) : undefined;
  if (hit) {
    if (!o.quiet) console.log(`  ${'cached'.padEnd(10)}${`${o.name} (IR unchanged: no codegen, no assemble)`}`);
    if (o.emitAsm) writeListing(o.emitAsm, hit.listing!);
    if (o.sources) cache!.putProgram([key!, o.sources], hit);
    return hit;
  }
  const timings: Record<string, number> = {};
  const count = mod.funcs.length; // before the back end drops the dead ones
  const items = phase(o.quiet, 'codegen', `${o.name} (IR -> x86-64)`, () => compileModule(mod, { cache, timings }));
  if (cache && !o.quiet) console.log(`  ${'reused'.padEnd(10)}${o.name}: ${timings.reused ?? 0} of ${count} functions' code from the cache`);
  const listing = o.emitAsm ? formatListing(items) : undefined;
  if (o.emitAsm) writeListing(o.emitAsm, listing!);
  const objects = phase(o.quiet, 'assemble', `${o.name} + ${o.startFiles.length} start .S`, () => [
    assemble(items, o.tsconfig),
    ...o.startFiles.map(assembleFile),
  ]);
  if (key) cache!.putProgram([key, ...(o.sources ? [o.sources] : [])], { objects, listing });
  return { objects, listing };
}

export function writeListing(path: string, listing: string): void {
  mkdirSync(dirname(path), { recursive: true }); // a fresh tree has no out/ before its first link
  writeFileSync(path, listing);
}
