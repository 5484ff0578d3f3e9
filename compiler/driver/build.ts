// The build driver behind `make`: compiles a TypeScript program, assembles its runtime stubs and
// links the result, printing one timed line per phase and nothing else on success.
//
//   node out/toolchain/compiler/driver/build.js kernel    out/kernel.elf + out/kernel.map, out/initrd.tar (the user programs)
//   node out/toolchain/compiler/driver/build.js iso       out/scarlett.iso (GRUB rescue CD around the kernel)
//   node out/toolchain/compiler/driver/build.js program <dir|tsconfig> -o <elf> [--target NAME]
//       one program for a target of target.ts (default x86_64-linux)
//
// buildProgram() is also what the tests call to build Linux user-mode programs in-process.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHF_ALLOC } from '../../linker/object.js';
import { type InitrdEntry, folderEntries, initrdObject, tarArchive } from './initrd.js';
import { link, type LinkResult } from '../../linker/link.js';
import { writeExecutable } from '../../linker/exec.js';
import { formatMap } from '../../linker/map.js';
import { readLayout } from '../../linker/layout.js';
import { assembleFile, cacheFor, cacheOf, codegen, type CodegenInput, phase, writeListing } from './codegen.js';
import { type BuildCache, type CompiledProgram, hashOf, type LinkedProgram, toolchainHash } from './buildcache.js';
import { runMain, fail, UserError, type Diagnostic } from '../../linker/diag.js';
import { defaultLowerOptions, lowerLoaded } from './compile.js';
import { CODES } from '../frontend/check.js';
import { LoweringCache } from '../frontend/lowercache.js';
import type { Module } from '../ir/ir.js';
import { type CodeModel, type Target, KERNEL, LINUX, SCARLETT_USER, TARGETS, startFilePaths } from './target.js';
import { loadProgram, loadPrograms, type Program, ts } from '../frontend/program.js';
import { findRoot } from './protocol.js';
import { backendWorker, buildJobs } from './parallel.js';
import type { Done } from './worker-protocol.js';

export { assembleFile, cacheFor }; // part of build.js's interface (tests)

/** The repository root: two levels above out/toolchain/compiler, or above compiler/ under vitest. */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

export interface ProgramOptions {
  tsconfig: string; // the program's tsconfig.json (its files are the program)
  program?: Program; // the program already loaded and type-checked (loadPrograms), else loaded here
  target: Target; // its start files are assembled and linked in, by its layout
  out: string; // the ELF to write
  map?: string; // the link map to write
  initrd?: Uint8Array; // a ramdisk linked in (initrdObject)
  asm?: string[]; // the program's own assembly files, beside the target's start files
  emitAsm?: string; // write the compiler's listing here
  quiet?: boolean; // no phase lines (tests)
  cache?: { dir: string; name: string }; // reuse back-end output of unchanged programs and functions (cacheFor, buildcache.ts)
  prime?: boolean; // compile and link even an unchanged program, from its functions' caches (primeKernel)
}

/** Compiles, assembles and links one program; returns the ELF image. */
export function buildProgram(o: ProgramOptions): Uint8Array {
  return linkProgram(o, compileProgram(o));
}

/** Compiles one program and assembles it with its target's start files: the objects to link.
 *  With `sources` (sourcesKey), a program compiled from the same inputs before is not lowered. */
function compileProgram(o: ProgramOptions, sources?: string): CompiledProgram {
  const hit = sources === undefined || o.prime ? undefined : cacheOf(o.cache!).getProgram(sources);
  if (hit) {
    if (!o.quiet) console.log(`  ${'cached'.padEnd(10)}${`${basename(dirname(resolve(o.tsconfig)))} (sources unchanged: not lowered, no codegen)`}`);
    if (o.emitAsm) writeListing(o.emitAsm, hit.listing!);
    return hit;
  }
  const { mod, input } = lowerProgram(o);
  return codegen(mod, { ...input, sources });
}

const lowerings = new WeakMap<BuildCache, LoweringCache>();

/** A program's lowered functions, kept in memory for the process (lowercache.ts) beside its build
 *  cache: only with one, since its back end compiles copies of the functions (Plan), where
 *  without one it transforms the module's functions in place. */
function loweringCacheOf(c: { dir: string; name: string }): LoweringCache {
  const build = cacheOf(c);
  let l = lowerings.get(build);
  if (!l) lowerings.set(build, (l = new LoweringCache()));
  return l;
}

/** The front end of one program: its IR, and what its back end needs besides (codegen.ts). */
function lowerProgram(o: ProgramOptions): { mod: Module; input: CodegenInput } {
  const name = basename(dirname(resolve(o.tsconfig)));
  const program = o.program ?? phase(o.quiet, 'load', `${name} (parse, type check)`, () => loadProgram(o.tsconfig));
  const lowering = o.cache && loweringCacheOf(o.cache);
  const mod = phase(o.quiet, 'compile', `${name} (check, lower to IR)`, () => lowerLoaded(program, [], defaultLowerOptions(), lowering));
  if (lowering?.reused && !o.quiet) console.log(`  ${'reused'.padEnd(10)}${name}: ${lowering.reused} of ${mod.funcs.length} functions lowered by an earlier build`);
  if (o.target.entry) checkEntry(mod, program, o.target);
  const startFiles = [...startFilePaths(o.target, ROOT), ...(o.asm ?? [])]; // the target's, then the program's own
  return { mod, input: { name, tsconfig: o.tsconfig, target: o.target.name, startFiles, emitAsm: o.emitAsm, quiet: o.quiet, cache: o.cache, prime: o.prime } };
}

/**
 * The target's start file calls the entry point with its own arguments: a missing, unexported or
 * differently declared entry is the program's mistake, reported there (not as an undefined symbol
 * in the start file, nor as garbage arguments at run time).
 */
function checkEntry(mod: Module, program: Program, t: Target): void {
  const e = t.entry!;
  const f = mod.funcs.find((f) => f.name === e.name && f.exported);
  const start = t.startFiles.join(', ');
  if (!f) {
    const file = program.files.find((sf) => basename(sf.fileName) === 'main.ts') ?? program.files[0];
    throw new UserError([{
      code: CODES.ENTRY, severity: 'error',
      message: `the program has no entry point: ${start} calls \`${e.signature}\``,
      loc: file ? { file: file.fileName, line: 1, col: 1 } : undefined,
    }]);
  }
  const params = f.params.map((p) => p.cls).join();
  if (params !== e.params.join() || (e.ret !== undefined && f.ret !== e.ret)) {
    throw new UserError([{
      code: CODES.ENTRY, severity: 'error', loc: f.loc,
      message: `the entry point must be declared \`${e.signature}\`: ${start} calls it so`,
    }]);
  }
}

/** Links a program's objects and writes the ELF (and map); returns the ELF image. Kept in the
 *  program's cache under `key` (linkedKey), with the listing. */
function linkProgram(o: ProgramOptions, compiled: CompiledProgram, key?: string): Uint8Array {
  return phase(o.quiet, 'link', `${basename(o.out)}`, () => {
    const layout = readLayout(join(ROOT, o.target.layout));
    const result = link([...compiled.objects, ...(o.initrd ? [initrdObject(o.initrd)] : [])], layout);
    checkCodeModel(result, o.target);
    const linked = { elf: writeExecutable(result), map: o.map ? formatMap(result) : undefined, listing: compiled.listing };
    writeLinked(o, linked);
    if (key) {
      cacheOf(o.cache!).putLinked(key, linked);
      noteWritten(o, key);
    }
    return linked.elf;
  });
}

function writeLinked(o: ProgramOptions, linked: LinkedProgram): void {
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, linked.elf);
  chmodSync(o.out, 0o755); // runnable as it is, for the Linux target
  if (o.map) writeFileSync(o.map, linked.map!);
}

/** The output files this process wrote last, with what they held (a linked key) and their state
 *  after: a rebuild in watch mode does not write the unchanged programs' files again. */
const written = new Map<string, { key: string; stamp: string }>();

function stamp(file: string): string | undefined {
  try {
    const st = statSync(file);
    return `${st.size} ${st.mtimeMs} ${st.ino}`;
  } catch {
    return undefined;
  }
}

function outputs(o: ProgramOptions): string[] {
  return [o.out, ...(o.map ? [o.map] : [])];
}

function stillWritten(o: ProgramOptions, key: string): boolean {
  return outputs(o).every((f) => written.get(f)?.key === key && written.get(f)?.stamp === stamp(f));
}

function noteWritten(o: ProgramOptions, key: string): void {
  for (const f of outputs(o)) written.set(f, { key, stamp: stamp(f) ?? '' });
}

/**
 * The key of a program's objects and listing by what its compilation reads: the texts of the
 * source files its TypeScript program lets it see (its own files, what they import, and the
 * declaration files such as the prelude), TypeScript's version and options, the lowering options,
 * the target, its start files, the toolchain. Undefined without a cache, and for a program with
 * TypeScript errors (compiled, to report them).
 */
function sourcesKey(o: ProgramOptions): string | undefined {
  const program = o.program;
  if (!o.cache || !program || program.tsDiagnostics.length) return undefined;
  const own = new Set(program.files);
  const sources = program.program.getSourceFiles().filter((f) => f.isDeclarationFile || own.has(f));
  const startFiles = [...startFilePaths(o.target, ROOT), ...(o.asm ?? [])];
  return hashOf(
    toolchainHash(), ts.version, JSON.stringify(program.program.getCompilerOptions()), JSON.stringify(defaultLowerOptions()),
    o.tsconfig, o.target.name, o.emitAsm ?? '',
    ...sources.flatMap((f) => [f.fileName, f.text]),
    ...startFiles.flatMap((f) => [f, readFileSync(f)]),
  );
}

/** The key of a program's linked output: its sources key, its layout, the ramdisk linked in. */
function linkedKey(o: ProgramOptions, sources: string | undefined): string | undefined {
  const layout = join(ROOT, o.target.layout);
  return sources && hashOf(sources, layout, readFileSync(layout), o.out, o.map ?? '', o.initrd ?? '');
}

/** The program's output files from the cache if its inputs are those of its last build: written
 *  again unless this process wrote them and they are as it left them (the files on disk may be
 *  another build's), and the ELF returned. */
function reuseLinked(o: ProgramOptions, key: string | undefined): Uint8Array | undefined {
  const hit = key === undefined || o.prime ? undefined : cacheOf(o.cache!).getLinked(key);
  if (!hit) return undefined;
  if (!o.quiet) console.log(`  ${'cached'.padEnd(10)}${basename(o.out)} (sources unchanged: not compiled, not linked)`);
  if (!stillWritten(o, key!)) {
    writeLinked(o, hit);
    noteWritten(o, key!);
  }
  if (o.emitAsm) writeListing(o.emitAsm, hit.listing!);
  return hit.elf;
}

/** Runs one program's build step; keeps its user errors for the end instead of stopping there. */
function collecting<T>(errors: Diagnostic[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    errors.push(...e.diagnostics);
    return undefined;
  }
}

/** The same diagnostic once (a file shared by several programs is compiled with each of them). */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => `${d.loc?.file}:${d.loc?.line}:${d.loc?.col} ${d.code} ${d.message}`;
  return [...new Map(ds.map((d) => [key(d), d])).values()];
}

/** User programs: each directory under kernel-src/user/ with .ts files (not the shared lib). */
function userPrograms(root: string): string[] {
  const dir = join(root, 'kernel-src/user');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n !== 'lib' && statSync(join(dir, n)).isDirectory())
    .filter((n) => existsSync(join(dir, n, 'tsconfig.json')))
    .sort();
}

/** A user program's own assembly (kernel-src/user/<name>/*.S), e.g. instructions TypeScript has no way to say. */
function userAsm(root: string, name: string): string[] {
  const dir = join(root, 'kernel-src/user', name);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.S'))
    .sort()
    .map((n) => join(dir, n));
}

const CODE_MODEL_RANGE: Record<CodeModel, [bigint, bigint]> = {
  kernel: [(1n << 64n) - (1n << 31n), 1n << 64n],
  small: [0n, 1n << 31n],
};

/** The back end addresses symbols as sign-extended 32-bit absolutes: the layout must allow that. */
function checkCodeModel(result: LinkResult, target: Target): void {
  const [lo, hi] = CODE_MODEL_RANGE[target.codeModel];
  for (const s of result.sections) {
    // Only sections at their virtual address hold compiled code and data (the kernel's .boot runs
    // from physical addresses, written by hand in 32-bit assembly).
    if (!(s.flags & SHF_ALLOC) || !s.virtual) continue;
    if (s.vma < lo || s.vma + BigInt(s.size) > hi) {
      fail('BLD0002', `section ${s.name} at 0x${s.vma.toString(16)} lies outside the ${target.codeModel} code model of target ${target.name} (${target.layout})`);
    }
  }
}

/** The kernel and its user programs: one TypeScript program and one type check for all of them.
 *  Every program is compiled before any error stops the build, so one run shows them all.
 *  `root` holds kernel-src/ and out/ (another tree in tests; start files and layouts are ROOT's). */
export function buildKernel(quiet = false, root = ROOT, cache = true, jobs = buildJobs(), prime = false): void {
  const users = userPrograms(root);
  const configs = [...users.map((name) => join(root, 'kernel-src/user', name, 'tsconfig.json')), join(root, 'kernel-src/tsconfig.json')];
  const programs = phase(quiet, 'load', `kernel-src + ${users.length} user programs (parse, type check)`, () => loadPrograms(configs));
  const userOptions = users.map((name, i): ProgramOptions => ({
    tsconfig: configs[i],
    program: programs[i],
    target: SCARLETT_USER,
    asm: userAsm(root, name),
    out: join(root, 'out/user', `${name}.elf`),
    quiet,
    cache: cache ? cacheFor(root, `user-${name}`) : undefined,
    prime,
  }));
  const kernel: ProgramOptions = {
    tsconfig: configs[users.length],
    program: programs[users.length],
    target: KERNEL,
    out: join(root, 'out/kernel.elf'),
    map: join(root, 'out/kernel.map'),
    emitAsm: join(root, 'out/kernel.s'),
    quiet,
    cache: cache ? cacheFor(root, 'kernel') : undefined,
    prime,
  };
  const errors: Diagnostic[] = [];
  // A user program whose inputs are unchanged is taken from the cache whole (reuseLinked).
  const userSources = userOptions.map(sourcesKey);
  const userKeys = userOptions.map((o, i) => linkedKey(o, userSources[i]));
  const reused = userOptions.map((o, i) => reuseLinked(o, userKeys[i]));
  // With a second core, the user programs' back ends run in the worker while this thread lowers
  // and compiles the kernel (parallel.ts); each is taken when it is linked.
  const worker = jobs > 1 && reused.includes(undefined) ? backendWorker() : undefined;
  const userCompiled = userOptions.map((o, i): (() => CompiledProgram | undefined) => {
    if (reused[i]) return () => undefined;
    if (!worker) {
      const compiled = collecting(errors, () => compileProgram(o, userSources[i]));
      return () => compiled;
    }
    const lowered = collecting(errors, () => lowerProgram(o));
    const id = lowered && worker.submit(lowered.mod, { ...lowered.input, sources: userSources[i] });
    return () => (id === undefined ? undefined : collecting(errors, () => fromWorker(worker.wait(id))));
  });
  const kernelSources = sourcesKey(kernel);
  const kernelCompiled = collecting(errors, () => compileProgram(kernel, kernelSources));
  const elfs = users.map((name, i) => {
    const compiled = userCompiled[i]();
    return reused[i] ?? (compiled && collecting(errors, () => linkProgram(userOptions[i], compiled, userKeys[i])));
  });
  if (errors.length) throw new UserError(dedupe(errors));
  // The ramdisk: user programs in bin/, and kernel-src/initrd/'s files (compiler/driver/initrd.ts).
  const staticDir = join(root, 'kernel-src/initrd');
  const tar = phase(quiet, 'initrd', `out/initrd.tar (${users.length} programs + kernel-src/initrd)`, () => {
    const entries: InitrdEntry[] = [{ path: 'bin' }, ...users.map((name, i) => ({ path: `bin/${name}`, data: elfs[i]! }))];
    const t = tarArchive([...entries, ...(existsSync(staticDir) ? folderEntries(staticDir) : [])]);
    mkdirSync(join(root, 'out'), { recursive: true });
    writeFileSync(join(root, 'out/initrd.tar'), t);
    return t;
  });
  // The built-in copy, used when the bootloader gives no module (kernel-src/fs/initrd.ts).
  const linked = { ...kernel, initrd: tar };
  const key = linkedKey(linked, kernelSources);
  if (!reuseLinked(linked, key)) linkProgram(linked, kernelCompiled!, key);
}

/**
 * What a long-lived process (make watch, the build server) runs once it has started: the kernel
 * and its user programs compiled and linked again, none taken whole from the cache, so that every
 * function is lowered, its code assembled and the cache files read into memory, and the toolchain's
 * code compiled by the JIT. Without it, the first rebuild after an edit does all of that (~5 s for
 * the kernel); with it, that rebuild costs what the edit changed. The files it writes are those
 * already there (same inputs); an error is left for the builds to report.
 */
export function primeKernel(): number {
  const start = performance.now();
  try {
    buildKernel(true, ROOT, true, buildJobs(), true);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
  }
  return Math.round(performance.now() - start);
}

/** A program compiled by the worker: what it printed, then its objects or its errors. */
function fromWorker(d: Done): CompiledProgram {
  for (const o of d.output) (o.err ? process.stderr : process.stdout).write(o.text);
  if (d.crash) throw new Error(`in the back-end worker: ${d.crash}`);
  if (d.diagnostics) throw new UserError(d.diagnostics);
  return { objects: d.objects! };
}

/** A GRUB rescue CD with the kernel: GRUB is the second, independent multiboot loader we test with. */
export function buildIso(): void {
  const iso = join(ROOT, 'out/iso');
  mkdirSync(join(iso, 'boot/grub'), { recursive: true });
  writeFileSync(join(iso, 'boot/kernel.elf'), readFileSync(join(ROOT, 'out/kernel.elf')));
  writeFileSync(join(iso, 'boot/initrd.tar'), readFileSync(join(ROOT, 'out/initrd.tar')));
  writeFileSync(
    join(iso, 'boot/grub/grub.cfg'),
    'set timeout=0\nset default=0\nmenuentry "Scarlett OS" {\n  multiboot /boot/kernel.elf\n  module /boot/initrd.tar initrd\n  boot\n}\n',
  );
  phase(false, 'iso', 'grub-mkrescue -> out/scarlett.iso', () =>
    execFileSync('grub-mkrescue', ['-o', join(ROOT, 'out/scarlett.iso'), iso], { stdio: 'pipe' }),
  );
}

const PROGRAM_USAGE = `usage: build.js program <dir|tsconfig.json> -o <out.elf> [--target ${Object.keys(TARGETS).join('|')}]`;

function programArgs(argv: string[]): { input: string; out: string; target: Target } {
  let input: string | undefined;
  let out: string | undefined;
  let target = LINUX;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? fail('BLD0001', `${a} needs a value; ${PROGRAM_USAGE}`);
    if (a === '-o') out = value();
    else if (a === '--target') {
      const name = value();
      target = TARGETS[name] ?? fail('BLD0001', `unknown target '${name}'; ${PROGRAM_USAGE}`);
    } else if (a.startsWith('-') || input) fail('BLD0001', PROGRAM_USAGE);
    else input = a;
  }
  if (!input || !out) fail('BLD0001', PROGRAM_USAGE);
  return { input, out, target };
}

/** build.js's command line (also what the build server runs for a client). */
export function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === 'kernel') return buildKernel(false, ROOT, !rest.includes('--no-cache'));
  if (cmd === 'iso') return buildIso();
  if (cmd === 'program') {
    const { input, out, target } = programArgs(rest);
    buildProgram({ tsconfig: input.endsWith('.json') ? input : join(input, 'tsconfig.json'), target, out });
    return;
  }
  fail('BLD0001', `unknown build command '${cmd ?? ''}' (kernel, iso, program)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void runMain(() => main(process.argv.slice(2)));
}
