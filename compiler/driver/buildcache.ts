// The build's cache of back-end work, keyed by content, so that a rebuild after an edit compiles
// only what the edit changed (docs/benchmarks.md, "Build time").
//
// Three levels, each keyed by a hash of its whole input and of the toolchain:
//   - a program's linked output (ELF, map, listing), keyed by the texts of every source file its
//     TypeScript program lets it see and the other inputs of its build (build.ts, linkedKey): a
//     program whose sources the edit did not touch is not even lowered, nor linked again;
//   - a program's objects and listing, keyed by its IR before the back end and its start files:
//     a program the edit did not change skips code generation and assembly altogether;
//   - a function's assembler items and the symbols its code refers to, keyed by its closure: its
//     own IR before the back end and that of every function and global it reaches, with whether
//     each has one call site (closureKeys; callgraph.ts says why that is all the inliner reads).
//     Only functions whose closure changed go through the middle end (plan), with the bodies of
//     the unchanged functions they inline as an earlier build left them (kept by closure key);
//     without those, each function such a function reaches goes through the middle end too (its
//     code still comes from the cache).
// The IR keys hash a canonical encoding of the IR, so every field counts, debug locations and
// which objects are shared included (typeSharing, for what functions share). A function's debug
// lines are hashed from its own start (hashModule): a function that only moved keeps its key, and
// its cached code, and the kept bodies inlined from it, name their source locations (Ref) so as
// to get this build's lines; where functions lie is in the program's key.
// A wrong hit would be a miscompile, so nothing weaker than the full input is ever a key; a miss
// only costs the work. The key is not v8.serialize(): it writes a number as an int32 or a double
// depending on how V8 happened to store it, so the same IR gave different bytes in another run.
// Identity matters too: the DWARF writer tells struct types apart by object, so cached items get
// back the very objects of the current IR they shared with their function (toStored/fromStored).
// Entries live in memory for the life of the process (watch mode) and in out/.cache/ on disk
// (`make clean` removes them), written once the build is done (writeLater). Each file is written
// whole or not at all.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Func, Module } from '../ir/ir.js';
import { type ModuleGraph, referenced, singleSite } from '../passes/callgraph.js';
import { inlineBody } from '../passes/inline.js';
import { copyFunc } from '../ir/walk.js';
import { type Group, type Item, itemLocs, varTypes } from '../asm/items.js';
import type { DebugType, ObjectFile, SourceLoc } from '../../linker/object.js';
import { writeAtomically } from '../frontend/codecache.js';

export interface CompiledProgram {
  objects: ObjectFile[];
  listing?: string;
}

/** A program's linked output files. */
export interface LinkedProgram {
  elf: Uint8Array;
  map?: string;
  listing?: string;
}

export function hashOf(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/**
 * A hash of a canonical encoding of a value: the same hash exactly when the values are equal as
 * data and share objects the same way (a repeated object is written as a back-reference, so
 * cycles end too). `objects` receives every object in the order first met: the numbering of the
 * back-references. `view` may give, for an object, what to encode in its place (its fields are
 * not walked further; `objects` still gets the object itself).
 *
 * The encoding goes straight into a reused byte buffer that is fed to the hash when full: building
 * the kernel's IR as text (1.9 million pieces, 5.6 MB) cost ~0.6 s, mostly allocation, on every
 * build; this costs a fraction of that and allocates almost nothing.
 */
export function canonicalHash(value: unknown, objects: object[] = [], view?: (o: object) => object | undefined): string {
  const h = createHash('sha1');
  const enc = new Encoder(h);
  const ids = new Map<object, number>();
  const walk = (v: unknown): void => {
    switch (typeof v) {
      case 'number': return enc.number(v);
      case 'bigint': return enc.text(`${v}n`);
      case 'string': return enc.string(v);
      case 'boolean': return enc.byte(v ? 0x74 : 0x66); // t f
      case 'undefined': return enc.byte(0x75); // u
      case 'object': break;
      default: throw new Error(`canonical: cannot encode a ${typeof v}`);
    }
    if (v === null) return enc.byte(0x6e); // n
    const seen = ids.get(v);
    if (seen !== undefined) return (enc.byte(0x40), enc.number(seen)); // @id
    ids.set(v, objects.length);
    objects.push(v);
    const shown = view?.(v);
    if (shown) {
      enc.byte(0x7b); // {
      for (const k of Object.keys(shown)) (enc.string(k), walk((shown as Record<string, unknown>)[k]));
      enc.byte(0x7d); // }
    } else if (Array.isArray(v)) {
      enc.byte(0x5b); // [
      for (let i = 0; i < v.length; i++) walk(v[i]);
      enc.byte(0x5d); // ]
    } else if (v instanceof Map) {
      enc.byte(0x4d); // M
      for (const [k, x] of v) (walk(k), walk(x));
      enc.byte(0x5d);
    } else if (v instanceof Set) {
      enc.byte(0x53); // S
      for (const x of v) walk(x);
      enc.byte(0x5d);
    } else if (v instanceof Uint8Array) {
      enc.byte(0x42); // B
      enc.bytes(v);
    } else {
      enc.byte(0x7b); // {
      for (const k of Object.keys(v)) (enc.string(k), walk((v as Record<string, unknown>)[k]));
      enc.byte(0x7d); // }
    }
  };
  walk(value);
  return enc.digest();
}

const SCRATCH = new Uint8Array(1 << 16);

/** Writes tagged, length-prefixed values into a buffer that is hashed whenever it fills up. */
class Encoder {
  private buf = SCRATCH; // one for every hash: each is taken whole before the next begins
  private pos = 0;
  constructor(private h: ReturnType<typeof createHash>) {}

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.h.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** A small non-negative integer (lengths, ids) as 7-bit groups; anything else as its text. */
  number(v: number): void {
    if (Number.isInteger(v) && v >= 0 && v < 2 ** 31 && !Object.is(v, -0)) {
      this.room(6);
      this.buf[this.pos++] = 0x23; // #
      do {
        this.buf[this.pos++] = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
        v >>>= 7;
      } while (v);
    } else this.text(Object.is(v, -0) ? '-0' : String(v));
  }

  /** A number or bigint's text (ASCII). */
  text(t: string): void {
    this.byte(0x2e); // .
    this.string(t);
  }

  /** A string: its length, then each UTF-16 unit as one byte, or three when above 0x7f. */
  string(s: string): void {
    const short = s.length < 4096; // room for all of it at once, checked once
    this.room(short ? 6 + 3 * s.length : 6);
    this.buf[this.pos++] = 0x22; // "
    let n = s.length;
    do {
      this.buf[this.pos++] = (n & 0x7f) | (n > 0x7f ? 0x80 : 0);
      n >>>= 7;
    } while (n);
    for (let i = 0; i < s.length; i++) {
      if (!short) this.room(3);
      const c = s.charCodeAt(i);
      if (c < 0x80) this.buf[this.pos++] = c;
      else {
        this.buf[this.pos++] = 0x80;
        this.buf[this.pos++] = c >> 8;
        this.buf[this.pos++] = c & 0xff;
      }
    }
  }

  bytes(b: Uint8Array): void {
    this.number(b.length);
    this.room(b.length);
    if (this.pos + b.length > this.buf.length) this.h.update(b);
    else (this.buf.set(b, this.pos), (this.pos += b.length));
  }

  digest(): string {
    this.h.update(this.buf.subarray(0, this.pos));
    return this.h.digest('hex');
  }
}

const REF = '\u0000ref';

/**
 * An object of this build's IR that a stored value names instead of holding a copy: its place in
 * the objects of the function the value belongs to, or a function's name and a place in its
 * objects (source locations of code inlined from it). A named source location is this build's
 * line: a function whose IR is the same but lies elsewhere (hashModule hashes lines relative to
 * the function's start) gets its code with its new lines.
 */
type Ref = number | [string, number];

interface Names {
  own: Map<object, number>;
  locs: Map<object, [string, number]>;
}

function isLoc(v: object): v is SourceLoc {
  const l = v as Partial<SourceLoc>;
  return typeof l.file === 'string' && typeof l.line === 'number' && typeof l.col === 'number';
}

function refOf(names: Names, o: object): Ref | undefined {
  return names.own.get(o) ?? names.locs.get(o);
}

/** A deep copy of `value` in which each object `names` knows is a marker holding its Ref;
 *  `loose` when it holds a source location it does not know (then the copy is not position-free). */
function toStored(value: unknown, names: Names): { stored: unknown; loose: boolean } {
  let loose = false;
  const copy = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const ref = refOf(names, v);
    if (ref !== undefined) return { [REF]: ref };
    if (isLoc(v)) loose = true;
    if (Array.isArray(v)) return v.map(copy);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [copy(k), copy(x)]));
    if (v instanceof Set) return new Set([...v].map(copy));
    if (v instanceof Uint8Array) return v.slice();
    const o: Record<string, unknown> = {};
    for (const k in v) o[k] = copy((v as Record<string, unknown>)[k]);
    return o;
  };
  const stored = copy(value);
  return { stored, loose };
}

/** The inverse of toStored, against the objects of the current IR: a fresh copy each time. */
function fromStored(value: unknown, resolve: (r: Ref) => object): unknown {
  const copy = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map(copy);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [copy(k), copy(x)]));
    if (v instanceof Set) return new Set([...v].map(copy));
    if (v instanceof Uint8Array) return v.slice();
    if (REF in v) return resolve((v as Record<string, Ref>)[REF]);
    const o: Record<string, unknown> = {};
    for (const k in v) o[k] = copy((v as Record<string, unknown>)[k]);
    return o;
  };
  return copy(value);
}

let toolchainVersion: string | undefined;

/** A hash of the toolchain's own code: another compiler never reuses this one's output. */
export function toolchainHash(): string {
  if (toolchainVersion) return toolchainVersion;
  const self = fileURLToPath(import.meta.url);
  // Unbundled (out/toolchain or the sources under vitest): every file of compiler/ and linker/.
  // Bundled (out/toolchain/bundle): the bundle holds the whole toolchain.
  const base = join(dirname(self), '../..');
  const files = /[/\\]compiler[/\\]driver[/\\]buildcache\.[jt]s$/.test(self)
    ? ['compiler', 'linker'].flatMap((d) => sourceFiles(join(base, d)))
    : [self];
  // Named relative to the toolchain's root: the same toolchain in another tree has the same hash.
  toolchainVersion = hashOf(...files.flatMap((f) => [relative(base, f), readFileSync(f)]));
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

/** A program's objects and listing, serialized as its cache file holds them, or both. */
interface ProgramEntry {
  compiled?: CompiledProgram;
  bytes?: Uint8Array;
}

/** A closure entry (StoredClosure), and the same serialized, as its cache file holds it. */
interface ClosureEntry {
  bytes: Uint8Array;
  value?: unknown; // deserialized when first needed
}

/** One program's cache: its last compiled objects and its functions' items. Each of its files is
 *  read when first needed: a build that takes a program whole reads only its linked output. */
export class BuildCache {
  private programs?: Map<string, ProgramEntry>; // by its keys (one entry under each)
  private linked?: [string, LinkedProgram] | null;
  private closures?: Map<string, ClosureEntry>; // a function's items and final references, by its closure key
  private usedClosures = new Set<string>();
  /** Bodies as each inlining round left them (`round key`): what a caller compiled later copies.
   *  In memory, and in a file read whole (one bad body and none is trusted). */
  private bodies?: Map<string, unknown>; // toStored: locations named, as the functions may have moved
  private newBodies = false;
  private hashed?: [Module, ModuleHashes];
  private dirty = false;

  /** `dir` holds the files; `name` tells this program's files from others' in it. */
  constructor(
    private dir: string,
    private name: string,
  ) {}

  private file(kind: string): string {
    return join(this.dir, `${kind}-${this.name}.bin`);
  }

  private loadPrograms(): Map<string, ProgramEntry> {
    if (this.programs) return this.programs;
    this.programs = new Map();
    const prog = readBin<[string[], Uint8Array]>(this.file('program'));
    if (prog && Array.isArray(prog[0]) && prog[1] instanceof Uint8Array) {
      const entry = { bytes: prog[1] };
      for (const k of prog[0]) this.programs.set(k, entry);
    }
    return this.programs;
  }

  private loadClosures(): Map<string, ClosureEntry> {
    return (this.closures ??= readEntries(this.file('closures')));
  }

  private loadBodies(): Map<string, unknown> {
    if (this.bodies) return this.bodies;
    const entries = readBin<[string, Func][]>(this.file('bodies')); // stored forms of Funcs
    const ok = Array.isArray(entries) && entries.every((e) => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]?.blocks));
    return (this.bodies = new Map(ok ? entries : []));
  }

  /** The key of a program's objects: its IR before the back end and the other inputs named. */
  programKey(m: Module, inputs: (string | Uint8Array)[]): string {
    return hashOf(toolchainHash(), ...inputs, this.hashes(m).whole);
  }

  /** The hashes of the module's parts and of the whole, taken once per module (before the back end changes it). */
  private hashes(m: Module): ModuleHashes {
    if (this.hashed?.[0] !== m) this.hashed = [m, hashModule(m)];
    return this.hashed[1];
  }

  /** The objects are shared by every hit, not copied: the linker only reads what it is given
   *  (tests/incremental.test.ts links a kept program again and compares). */
  getProgram(key: string): CompiledProgram | undefined {
    const hit = this.loadPrograms().get(key);
    if (!hit) return undefined;
    try {
      return (hit.compiled ??= deserialize(hit.bytes!) as CompiledProgram);
    } catch {
      return undefined; // written by another node
    }
  }

  /** Keeps a program's output under each of its keys (its IR's, its sources'), in place of the
   *  last. An output already kept under one of them is the same (the keys are of its inputs). */
  putProgram(keys: string[], compiled: CompiledProgram): void {
    const programs = this.loadPrograms();
    if (keys.every((k) => programs.has(k)) && programs.size === keys.length) return;
    const entry = keys.map((k) => programs.get(k)).find((e) => e) ?? { compiled };
    this.programs = new Map(keys.map((k) => [k, entry]));
    writeLater(this.file('program'), () => [keys, (entry.bytes ??= serialize(entry.compiled))]);
  }

  /** The output files of the last build, if its key (build.ts, linkedKey) was `key`. */
  getLinked(key: string): LinkedProgram | undefined {
    if (this.linked === undefined) {
      const linked = readBin<[string, LinkedProgram]>(this.file('linked'));
      this.linked = linked && linked[1]?.elf instanceof Uint8Array ? linked : null;
    }
    return this.linked?.[0] === key ? this.linked[1] : undefined;
  }

  putLinked(key: string, linked: LinkedProgram): void {
    this.linked = [key, linked];
    writeLater(this.file('linked'), this.linked);
  }

  /**
   * Which of the module's functions must go through the middle end, and the cache's answers for
   * the others (backend.ts). A function whose closure key is kept needs nothing but its items; a
   * function compiled now may copy the body of any function it reaches, so each of those is
   * compiled too unless its bodies were kept from an earlier build (bodies).
   */
  plan(m: Module, graph: ModuleGraph): Plan {
    const closures = this.loadClosures();
    const keys = closureKeys(this.hashes(m), graph);
    const hits = new Map<string, unknown>();
    for (const f of m.funcs) {
      const k = keys.get(f.name)!;
      const e = closures.get(k.key);
      const value = e && stored(e);
      if (value !== undefined) hits.set(f.name, value);
    }
    const isFunc = new Set(m.funcs.map((f) => f.name));
    const bodies = this.loadBodies();
    const kept = (n: string) => bodies.has(`1 ${keys.get(n)!.key}`) && bodies.has(`2 ${keys.get(n)!.key}`);
    const work = new Set(m.funcs.filter((f) => !hits.has(f.name)).map((f) => f.name));
    const seen = new Set(work);
    const stack = [...work];
    while (stack.length) {
      for (const r of graph.refs.get(stack.pop()!) ?? []) {
        if (seen.has(r)) continue;
        seen.add(r);
        stack.push(r);
        if (isFunc.has(r) && !kept(r)) work.add(r);
      }
    }
    this.usedClosures = new Set([...keys.values()].map((k) => k.key));
    for (const b of [...bodies.keys()]) if (!this.usedClosures.has(b.slice(2))) (bodies.delete(b), (this.newBodies = true));
    // The passes transform what they compile in place: copies, since the lowered functions may be
    // the lowering cache's (lowercache.ts), and their hashes are kept by object (hashModule).
    m.funcs = m.funcs.map((f) => (work.has(f.name) ? copyFunc(f) : f));
    return new Plan(this, m.funcs.filter((f) => work.has(f.name)), keys, hits);
  }

  /** @internal Plan's access to the bodies kept (stored: Plan.earlier resolves them). */
  body(round: 1 | 2, key: string): unknown {
    return this.loadBodies().get(`${round} ${key}`);
  }

  /** @internal */
  keepBody(round: 1 | 2, key: string, stored: unknown): void {
    this.loadBodies().set(`${round} ${key}`, stored);
    this.newBodies = true;
  }

  /** @internal */
  putClosure(key: string, value: unknown): void {
    this.loadClosures().set(key, { value, bytes: serialize(value) });
    this.dirty = true;
  }

  /** Writes the function entries this build used (only those: the file does not grow with edits).
   *  Each entry was serialized once, when it was made: writing the file copies bytes. */
  saveClosures(): void {
    const entries = this.loadClosures();
    const stale = [...entries.keys()].some((k) => !this.usedClosures.has(k));
    if (stale) for (const k of [...entries.keys()]) if (!this.usedClosures.has(k)) entries.delete(k);
    if (this.dirty || stale) writeLater(this.file('closures'), [...entries].map(([k, e]) => [k, e.bytes]));
    if (this.newBodies && this.bodies) writeLater(this.file('bodies'), [...this.bodies], true);
    this.dirty = this.newBodies = false;
  }
}

/**
 * The back end's use of the cache for one module (BuildCache.plan): `work` goes through the middle
 * end; every other function's items and references come from the cache.
 */
export class Plan {
  constructor(
    private cache: BuildCache,
    readonly work: Func[],
    private keys: Map<string, { key: string; objects: object[] }>,
    private hits: Map<string, unknown>,
  ) {}

  /** Functions whose items came whole from the cache. */
  get reused(): number {
    return this.hits.size;
  }

  private locNames?: Map<object, [string, number]>;
  private resolved = new Map<string, Func>();

  /** Every function's source locations, by the function and their place in its objects; one
   *  that two functions share is left out (a value naming it is then not kept: loose). */
  private locs(): Map<object, [string, number]> {
    if (!this.locNames) {
      const found = new Map<object, [string, number] | null>();
      for (const [name, { objects }] of this.keys) objects.forEach((o, i) => isLoc(o) && found.set(o, found.has(o) ? null : [name, i]));
      this.locNames = new Map([...found].filter((e): e is [object, [string, number]] => e[1] !== null));
    }
    return this.locNames;
  }

  private resolver(objects: object[]): (r: Ref) => object {
    return (r) => {
      if (typeof r === 'number') return objects[r];
      const o = this.keys.get(r[0])?.objects[r[1]];
      if (!o) throw new Error(`build cache: an entry names ${r[0]}'s object ${r[1]}, which its key says exists`);
      return o;
    };
  }

  /** The body `name` had after inlining round `round`, from an earlier build, with this build's lines. */
  earlier(round: 1 | 2, name: string): Func | undefined {
    const k = `${round} ${name}`;
    if (!this.resolved.has(k)) {
      const stored = this.cache.body(round, this.keys.get(name)!.key);
      if (stored === undefined) return undefined;
      this.resolved.set(k, fromStored(stored, this.resolver([])) as Func);
    }
    return this.resolved.get(k);
  }

  /** Keeps what a round left of `f` for later builds; not if it holds a location no function here has. */
  keep(round: 1 | 2, f: Func): void {
    const { stored, loose } = toStored(inlineBody(f), { own: new Map(), locs: this.locs() });
    if (!loose) this.cache.keepBody(round, this.keys.get(f.name)!.key, stored);
  }

  /** The symbols a function refers to after the middle end (from the cache unless compiled now). */
  refs(f: Func, compiled: boolean): Iterable<string> {
    return compiled ? referenced(f) : (this.hits.get(f.name) as StoredClosure).refs;
  }

  /** The code of `f` as a group keyed by its closure key: from the cache (its items copied when
   *  first needed), or from `compile` (its IR after the middle end), then kept. */
  group(f: Func, compile: () => Item[]): Group {
    const { key, objects } = this.keys.get(f.name)!;
    const hit = this.hits.get(f.name) as StoredClosure | undefined;
    const resolve = this.resolver(objects);
    if (hit) {
      let items: Item[] | undefined;
      const types = hit.types.includes(-1) ? undefined : (hit.types.map((i) => objects[i]) as DebugType[]);
      const locs = hit.locs.map(resolve) as SourceLoc[];
      return { kind: 'group', key, items: () => (items ??= fromStored(hit.items, resolve) as Item[]), varTypes: () => types, locs: () => locs };
    }
    const items = compile();
    const own = new Map(objects.map((o, i) => [o, i]));
    const names = { own, locs: this.locs() };
    const types = varTypes(items);
    const locs = itemLocs(items);
    const { stored, loose } = toStored(items, names);
    const value: StoredClosure = {
      items: stored, refs: [...referenced(f)], types: types.map((t) => own.get(t) ?? -1), locs: locs.map((l) => refOf(names, l)!), // all named unless loose
    };
    if (!loose) this.cache.putClosure(key, value);
    return { kind: 'group', key, items: () => items, varTypes: () => types, locs: () => locs };
  }
}

interface StoredClosure {
  items: unknown; // toStored, against the objects of this build's IR before the back end
  refs: string[];
  types: number[]; // the items' varTypes, as places in the function's objects (-1: not one of them)
  locs: Ref[]; // the items' itemLocs, named
}

interface ModuleHashes {
  funcs: Map<string, { hash: string; objects: object[] }>; // objects: those of its IR, in the order hashed
  globals: Map<string, string>;
  whole: string;
}

/** The hash of a function by object: a function the lowering cache kept is the same object, never
 *  changed, in every build that uses it (the back end changes only copies: plan). */
const funcHashes = new WeakMap<Func, { hash: string; objects: object[] }>();

/**
 * Each function's and global's canonical hash, and the module's: those of its parts, its externs,
 * and which debug types its functions share (the DWARF writer tells structs apart by object, and
 * hashing each function alone does not see what it shares with another).
 */
export function hashModule(m: Module): ModuleHashes {
  const funcs = new Map<string, { hash: string; objects: object[] }>();
  for (const f of m.funcs) {
    let h = funcHashes.get(f);
    if (!h) {
      const objects: object[] = [];
      funcHashes.set(f, (h = { hash: canonicalHash(f, objects, linesFrom(f.loc)), objects }));
    }
    funcs.set(f.name, h);
  }
  const globals = new Map(m.globals.map((g) => [g.name, canonicalHash(g, [], (o) => (o === g.loc ? {} : undefined))]));
  // The parts' hashes say nothing of where they are: the program's objects (line tables) do.
  const places = m.funcs.map((f) => `${f.loc?.file}:${f.loc?.line}`).join() + canonicalHash(m.globals.map((g) => g.loc));
  const whole = hashOf(...[...funcs.values()].map((f) => f.hash), ...globals.values(), m.externs.join(), typeSharing(m), places);
  return { funcs, globals, whole };
}

/** Source locations in the file of `start` as lines from it: a function that moved, and is the
 *  same otherwise, hashes the same (its cached code gets this build's lines: Ref). */
function linesFrom(start: SourceLoc | undefined): ((o: object) => object | undefined) | undefined {
  return start && ((o) => (isLoc(o) && o.file === start.file ? { file: o.file, line: o.line - start.line, col: o.col } : undefined));
}

/** The debug types of each function as numbers, one per distinct object in the module. */
function typeSharing(m: Module): string {
  const ids = new Map<DebugType, number>();
  const out: number[] = [];
  const visit = (t: DebugType | undefined): void => {
    if (!t) return;
    const id = ids.get(t);
    out.push(id ?? ids.size);
    if (id !== undefined) return;
    ids.set(t, ids.size);
    if (t.kind === 'pointer') visit(t.to);
    else if (t.kind === 'array') visit(t.of);
    else if (t.kind === 'struct') for (const x of t.members) visit(x.type);
  };
  for (const f of m.funcs) {
    for (const t of f.types?.values() ?? []) visit(t);
    for (const v of f.vars ?? []) visit(v.type);
    out.push(-1);
  }
  return out.join();
}

/**
 * Each function's key by what the back end's result for it depends on (callgraph.ts): its own IR
 * before the back end, whether it has one call site (callgraph.ts, singleSite), and the same
 * of everything it reaches (the keys of the components below its own); with the objects of its IR
 * in the order hashed, which the cached items' shared objects are numbered by (toStored).
 */
function closureKeys(hashes: ModuleHashes, graph: ModuleGraph): Map<string, { key: string; objects: object[] }> {
  const own = (n: string) => hashes.funcs.get(n)?.hash ?? hashes.globals.get(n)!;
  const component = new Map<string, string>(); // node -> its component's key
  for (const c of graph.components) {
    const members = [...c].sort();
    const below = new Set<string>();
    for (const n of c) for (const r of graph.refs.get(n) ?? []) {
      const k = component.get(r); // unset only for the members of c: every other component it reaches came before
      if (k !== undefined) below.add(k);
    }
    const key = hashOf(toolchainHash(), ...members.flatMap((n) => [n, own(n), singleSite(graph, n) ? '1' : '']), ...[...below].sort());
    for (const n of c) component.set(n, key);
  }
  return new Map([...hashes.funcs].map(([name, { objects }]) => [name, { key: hashOf(component.get(name)!, name), objects }]));
}

function readEntries(file: string): Map<string, ClosureEntry> {
  const out = new Map<string, ClosureEntry>();
  const entries = readBin<[string, Uint8Array][]>(file);
  if (Array.isArray(entries)) for (const [k, bytes] of entries) if (bytes instanceof Uint8Array) out.set(k, { bytes });
  return out;
}

/** An entry's stored items; undefined if its bytes do not deserialize (another node wrote them). */
function stored(e: ClosureEntry): unknown {
  try {
    return (e.value ??= deserialize(e.bytes));
  } catch {
    return undefined;
  }
}

function readBin<T>(file: string): T | undefined {
  try {
    return existsSync(file) ? (deserialize(readFileSync(file)) as T) : undefined;
  } catch {
    return undefined; // unreadable or from another node: rebuilt
  }
}

/**
 * Cache files to write once the build is done: they are for the next process, since this one has
 * their contents in memory. Serializing the kernel's objects, linked output and function entries
 * after an edit takes ~150 ms, which held up a request that came right after (make, then a small
 * program: the server answered it that much later). So they are written once the process has had
 * no build for IDLE_WRITE_MS, or when it ends (a one-shot `make` writes them as it exits). The
 * kept bodies (~10 MB of IR for the kernel) are written only at exit. The back-end worker writes
 * all of its own before it answers (flushWrites), since the process may end as soon as it has.
 * What is written is never changed afterwards (stored entries are copies; the arrays are taken now).
 */
const pending = new Map<string, unknown>();
const atExit = new Map<string, unknown>();
const IDLE_WRITE_MS = 2000;
let idleWrite: NodeJS.Timeout | undefined;

/** `value` may be a function giving it when written (what is costly to serialize). */
function writeLater(file: string, value: unknown, untilExit = false): void {
  if (untilExit) {
    atExit.set(file, value);
    return;
  }
  pending.set(file, value);
  clearTimeout(idleWrite);
  idleWrite = setTimeout(() => flushWrites(), IDLE_WRITE_MS).unref(); // not what keeps a process alive: the exit writes them
}

/** Writes the files pending; with `all`, those kept for the exit too. */
export function flushWrites(all = false): void {
  for (const files of all ? [pending, atExit] : [pending]) {
    for (const [file, value] of files) writeBin(file, value);
    files.clear();
  }
}

process.on('exit', () => flushWrites(true));

function writeBin(file: string, value: unknown): void {
  try {
    writeAtomically(file, serialize(typeof value === 'function' ? value() : value));
  } catch {
    // a read-only tree: no cache, same results
  }
}
