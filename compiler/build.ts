// The build driver behind `make`: compiles a TypeScript program, assembles its runtime stubs and
// links the result, printing one timed line per phase and nothing else on success.
//
//   node out/toolchain/compiler/build.js kernel    out/kernel.elf + out/kernel.map (with user programs)
//   node out/toolchain/compiler/build.js iso       out/scarlett.iso (GRUB rescue CD around the kernel)
//   node out/toolchain/compiler/build.js program <dir|tsconfig> -o <elf> [--target linux-x86_64]
//
// buildProgram() is also what the tests call to build Linux user-mode programs in-process.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ObjectFile, newSection, SHF_ALLOC, SHT_PROGBITS } from '../linker/object.js';
import { link } from '../linker/link.js';
import { writeExecutable } from '../linker/exec.js';
import { formatMap } from '../linker/map.js';
import { readLayout } from '../linker/layout.js';
import { compileModule } from './backend.js';
import { runMain, fail } from './diag.js';
import { lowerLoaded, type Target } from './driver.js';
import { loadProgram, loadPrograms, type Program } from './program.js';
import { assemble } from './x86/assemble.js';
import { parseAtt } from './x86/att.js';
import { formatListing } from './x86/listing.js';

/** The repository root: two levels above out/toolchain/compiler, or above compiler/ under vitest. */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  return process.cwd();
}

export interface ProgramOptions {
  tsconfig: string; // the program's tsconfig.json (its files are the program)
  program?: Program; // the program already loaded and type-checked (loadPrograms), else loaded here
  target: Target;
  asm: string[]; // runtime .S files to assemble and link in
  layout: string; // linker layout TOML
  out: string; // the ELF to write
  map?: string; // the link map to write
  extraObjects?: ObjectFile[];
  emitAsm?: string; // write the compiler's listing here
  quiet?: boolean; // no phase lines (tests)
}

/** Prints `  phase     what                                  123 ms` after running fn. */
function phase<T>(quiet: boolean | undefined, name: string, what: string, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  const ms = Math.round(performance.now() - start);
  if (!quiet) console.log(`  ${name.padEnd(10)}${what.padEnd(40)}${String(ms).padStart(6)} ms`);
  return result;
}

export function assembleFile(path: string): ObjectFile {
  return assemble(parseAtt(readFileSync(path, 'utf8'), path), path);
}

/** Compiles, assembles and links one program; returns the ELF image. */
export function buildProgram(o: ProgramOptions): Uint8Array {
  const name = basename(dirname(resolve(o.tsconfig)));
  const program = o.program ?? phase(o.quiet, 'load', `${name} (parse, type check)`, () => loadProgram(o.tsconfig));
  const mod = phase(o.quiet, 'compile', `${name} (check, lower to IR)`, () => lowerLoaded(program));
  const items = phase(o.quiet, 'codegen', `${name} (IR -> x86-64)`, () => compileModule(mod, { target: o.target }));
  if (o.emitAsm) writeFileSync(o.emitAsm, formatListing(items));
  const objects = phase(o.quiet, 'assemble', `${name} + ${o.asm.length} runtime .S`, () => [
    assemble(items, o.tsconfig),
    ...o.asm.map(assembleFile),
  ]);
  return phase(o.quiet, 'link', `${basename(o.out)}`, () => {
    const result = link([...objects, ...(o.extraObjects ?? [])], readLayout(o.layout));
    const elf = writeExecutable(result);
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, elf);
    chmodSync(o.out, 0o755); // runnable as it is, for the Linux target
    if (o.map) writeFileSync(o.map, formatMap(result));
    return elf;
  });
}

/** Wraps a user program's ELF image as read-only data the kernel can load: __user_<name>_start/_end. */
function embedUserProgram(name: string, elf: Uint8Array): ObjectFile {
  const sec = newSection(`.rodata.user.${name}`, SHT_PROGBITS, SHF_ALLOC, 16);
  sec.data = elf;
  sec.size = elf.length;
  const sym = (suffix: string, value: number) =>
    ({ name: `__user_${name}_${suffix}`, section: 0, value: BigInt(value), size: 0, binding: 'global', type: 'object' }) as const;
  return { name: `user program ${name}`, sections: [sec], symbols: [sym('start', 0), sym('end', elf.length)] };
}

/** User programs: each directory under kernel-src/user/ with .ts files (not the shared lib). */
function userPrograms(): string[] {
  const dir = join(ROOT, 'kernel-src/user');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n !== 'lib' && statSync(join(dir, n)).isDirectory())
    .filter((n) => existsSync(join(dir, n, 'tsconfig.json')))
    .sort();
}

/** A user program's own assembly (kernel-src/user/<name>/*.S), e.g. instructions TypeScript has no way to say. */
function userAsm(name: string): string[] {
  const dir = join(ROOT, 'kernel-src/user', name);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.S'))
    .sort()
    .map((n) => join(dir, n));
}

function runtimeAsm(): string[] {
  const dir = join(ROOT, 'runtime');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.S') && n !== 'user_start.S')
    .sort()
    .map((n) => join(dir, n));
}

/** The kernel and its user programs: one TypeScript program and one type check for all of them. */
export function buildKernel(quiet = false): void {
  const users = userPrograms();
  const configs = [...users.map((name) => join(ROOT, 'kernel-src/user', name, 'tsconfig.json')), join(ROOT, 'kernel-src/tsconfig.json')];
  const programs = phase(quiet, 'load', `kernel-src + ${users.length} user programs (parse, type check)`, () => loadPrograms(configs));
  const embedded = users.map((name, i) => {
    const out = join(ROOT, 'out/user', `${name}.elf`);
    const elf = buildProgram({
      tsconfig: configs[i],
      program: programs[i],
      target: 'linux',
      asm: [join(ROOT, 'runtime/user_start.S'), ...userAsm(name)],
      layout: join(ROOT, 'linker/linux.toml'), // user programs link like static Linux ones, at 0x400000
      out,
      quiet,
    });
    return embedUserProgram(name, elf);
  });
  buildProgram({
    tsconfig: configs[users.length],
    program: programs[users.length],
    target: 'kernel',
    asm: runtimeAsm(),
    layout: join(ROOT, 'linker/kernel.toml'),
    out: join(ROOT, 'out/kernel.elf'),
    map: join(ROOT, 'out/kernel.map'),
    extraObjects: embedded,
    emitAsm: join(ROOT, 'out/kernel.s'),
    quiet,
  });
}

/** A GRUB rescue CD with the kernel: GRUB is the second, independent multiboot loader we test with. */
export function buildIso(): void {
  const iso = join(ROOT, 'out/iso');
  mkdirSync(join(iso, 'boot/grub'), { recursive: true });
  writeFileSync(join(iso, 'boot/kernel.elf'), readFileSync(join(ROOT, 'out/kernel.elf')));
  writeFileSync(
    join(iso, 'boot/grub/grub.cfg'),
    'set timeout=0\nset default=0\nmenuentry "Scarlett OS" {\n  multiboot /boot/kernel.elf\n  boot\n}\n',
  );
  phase(false, 'iso', 'grub-mkrescue -> out/scarlett.iso', () =>
    execFileSync('grub-mkrescue', ['-o', join(ROOT, 'out/scarlett.iso'), iso], { stdio: 'pipe' }),
  );
}

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === 'kernel') return buildKernel();
  if (cmd === 'iso') return buildIso();
  if (cmd === 'program') {
    const src = rest.find((a) => !a.startsWith('-') && rest[rest.indexOf(a) - 1] !== '-o');
    const out = rest[rest.indexOf('-o') + 1];
    if (!src || rest.indexOf('-o') < 0 || !out) fail('BLD0001', 'usage: build.js program <dir|tsconfig.json> -o <out.elf>');
    const tsconfig = src.endsWith('.json') ? src : join(src, 'tsconfig.json');
    buildProgram({
      tsconfig,
      target: 'linux',
      asm: [join(ROOT, 'runtime/linux/start.S')],
      layout: join(ROOT, 'linker/linux.toml'),
      out,
    });
    return;
  }
  fail('BLD0001', `unknown build command '${cmd ?? ''}' (kernel, iso, program)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void runMain(() => main(process.argv.slice(2)));
}
