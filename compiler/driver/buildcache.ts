// The build's cache of back-end work, keyed by content, so that a rebuild after an edit compiles
// only what the edit changed (docs/benchmarks.md, "Build time").
//
// Two levels, both keyed by a hash of their whole input (a V8 serialization of the IR, so every
// field counts, debug locations included) and of the toolchain itself:
//   - a program's objects and listing, keyed by its IR before the back end and its start files:
//     a program the edit did not change skips code generation and assembly altogether;
//   - a function's assembler items, keyed by its IR after optimisation and inlining (isel,
//     register allocation and emission read nothing else): a function whose own IR and inlined
//     callees are unchanged skips isel, regalloc and emit. Keying after inlining keeps inlining
//     across modules correct: an edited callee changes the IR of every function it was inlined into.
// A wrong hit would be a miscompile, so nothing weaker than the full input is ever a key; a miss
// only costs the work. Entries live in memory for the life of the process (watch mode) and in
// out/.cache/ on disk (`make clean` removes them). Each file is written whole or not at all.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Func } from '../ir/ir.js';
import type { Item } from '../asm/items.js';
import type { ObjectFile } from '../../linker/object.js';
import { writeAtomically } from '../frontend/codecache.js';

export interface CompiledProgram {
  objects: ObjectFile[];
  listing?: string;
}

export function hashOf(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

let toolchainVersion: string | undefined;

/** A hash of the toolchain's own code: another compiler never reuses this one's output. */
export function toolchainHash(): string {
  if (toolchainVersion) return toolchainVersion;
  const self = fileURLToPath(import.meta.url);
  // Unbundled (out/toolchain or the sources under vitest): every file of compiler/ and linker/.
  // Bundled (out/toolchain/bundle): the bundle holds the whole toolchain.
  const files = /[/\\]compiler[/\\]driver[/\\]buildcache\.[jt]s$/.test(self)
    ? ['compiler', 'linker'].flatMap((d) => sourceFiles(join(dirname(self), '../..', d)))
    : [self];
  toolchainVersion = hashOf(...files.flatMap((f) => [f.slice(f.lastIndexOf('/compiler/') + 1), readFileSync(f)]));
  return toolchainVersion;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return sourceFiles(p);
      return /\.(js|ts|toml)$/.test(n) && !n.endsWith('.d.ts') ? [p] : [];
    });
}

/** One program's cache: its last compiled objects and its functions' items. */
export class BuildCache {
  private programs = new Map<string, CompiledProgram>();
  private funcs = new Map<string, Item[]>();
  private usedFuncs = new Set<string>();
  private loaded = false;
  private dirty = false;

  /** `dir` holds the files; `name` tells this program's files from others' in it. */
  constructor(
    private dir: string,
    private name: string,
  ) {}

  private file(kind: string): string {
    return join(this.dir, `${kind}-${this.name}.bin`);
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const prog = readBin<[string, CompiledProgram]>(this.file('program'));
    if (prog) this.programs.set(prog[0], prog[1]);
    const funcs = readBin<[string, Item[]][]>(this.file('funcs'));
    if (funcs) for (const [k, v] of funcs) this.funcs.set(k, v);
  }

  programKey(irBytes: Uint8Array, inputs: (string | Uint8Array)[]): string {
    return hashOf(toolchainHash(), irBytes, ...inputs);
  }

  getProgram(key: string): CompiledProgram | undefined {
    this.load();
    const hit = this.programs.get(key);
    return hit && (deserialize(serialize(hit)) as CompiledProgram); // the linker may change objects it is given
  }

  putProgram(key: string, compiled: CompiledProgram): void {
    this.programs = new Map([[key, deserialize(serialize(compiled)) as CompiledProgram]]);
    writeBin(this.file('program'), [key, compiled]);
  }

  /** The items of `f` (after optimisation and inlining), from the cache or from `compile`. */
  func(f: Func, compile: () => Item[]): Item[] {
    this.load();
    const key = hashOf(toolchainHash(), serialize(f));
    this.usedFuncs.add(key);
    const hit = this.funcs.get(key);
    if (hit) return deserialize(serialize(hit)) as Item[];
    const items = compile();
    this.funcs.set(key, deserialize(serialize(items)) as Item[]);
    this.dirty = true;
    return items;
  }

  /** Writes the function entries this build used (only those: the file does not grow with edits). */
  saveFuncs(): void {
    const stale = [...this.funcs.keys()].some((k) => !this.usedFuncs.has(k));
    if (stale) for (const k of [...this.funcs.keys()]) if (!this.usedFuncs.has(k)) this.funcs.delete(k);
    if (this.dirty || stale) writeBin(this.file('funcs'), [...this.funcs]);
    this.dirty = false;
    this.usedFuncs.clear();
  }
}

function readBin<T>(file: string): T | undefined {
  try {
    return existsSync(file) ? (deserialize(readFileSync(file)) as T) : undefined;
  } catch {
    return undefined; // unreadable or from another node: rebuilt
  }
}

function writeBin(file: string, value: unknown): void {
  try {
    writeAtomically(file, serialize(value));
  } catch {
    // a read-only tree: no cache, same results
  }
}
