// The conformance programs inside one QEMU boot (issue 3, item 6): every program of
// tests/conformance that needs no Linux runtime is compiled for the kernel target, linked with
// runtime/boot.S and a small harness (tests/conformance-qemu/harness.S: kernel_main, rt_write to
// COM1, exit through isa-debug-exit) into one multiboot image by linker/kernel.toml, and booted once.
// The serial log is split by the harness's marker lines and each program's part must equal its
// `/* expect: ... */` block, one vitest test per program so that a failure names it.
//
// Every program defines `main`, `print`, ...: each is compiled to its own object, whose defined
// globals are then prefixed (`p17_main`) by linker/prefix.ts; `rt_write`, undefined in each, still
// resolves to the harness's one definition.
//
// Not run here (they need the Linux runtime):
//   - programs with an `// expect-signal:` line (traps/div_zero_i32, traps/min_div_minus1,
//     traps/rem_zero_u64): they end by a CPU exception that Linux turns into SIGFPE; here it would
//     triple-fault the machine (no IDT) and stop the rest of the boot;
//   - programs that make Linux system calls (the `syscall` intrinsic) or call `rt_exit`: none at
//     the time of writing, but the filter below keeps it that way when some are added.
//
// A fault in a program triple-faults the machine (interrupts off, no IDT): QEMU then exits 0
// instead of the harness's 33, and the program whose start marker has no end marker is the one
// that was running; its test says so, and the programs after it report that they never started.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { lowerProgram } from '../compiler/driver.ts';
import { compileModule } from '../compiler/backend.ts';
import { assemble } from '../compiler/x86/assemble.ts';
import { parseAtt } from '../compiler/x86/att.ts';
import { formatDiagnostic, UserError } from '../compiler/diag.ts';
import type { ObjectFile } from '../linker/object.ts';
import { link } from '../linker/link.ts';
import { readLayout } from '../linker/layout.ts';
import { writeExecutable } from '../linker/exec.ts';
import { prefixGlobals } from '../linker/prefix.ts';
import { programSources, writeTsconfig } from './differential/native.ts';
import { boot, type BootResult } from './qemu.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'tests', 'conformance');
const OUT = join(ROOT, 'out', 'conformance-qemu');
const EXIT_DONE = (0x10 << 1) | 1; // harness.S writes 0x10 to port 0xf4 after the last program

interface Case {
  file: string;
  name: string; // area/name
  expected: string;
  excluded?: string; // why it does not run in QEMU
}

function findPrograms(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== 'lib') files.push(...findPrograms(p));
    } else if (entry.endsWith('.ts') && dir !== DIR) {
      files.push(p);
    }
  }
  return files;
}

/** Why a program needs the Linux runtime, looking at it and the modules it imports; undefined if it does not. */
function needsLinux(file: string): string | undefined {
  const text = readFileSync(file, 'utf8');
  if (/^\/\/ expect-signal:/m.test(text)) return 'expects a signal';
  for (const src of programSources(file)) {
    const code = readFileSync(src, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    if (/\bsyscall\s*\(/.test(code)) return `${relative(DIR, src)} makes a system call`;
    if (/\brt_exit\b/.test(code)) return `${relative(DIR, src)} calls rt_exit`;
  }
  return undefined;
}

function parseCase(file: string): Case {
  const text = readFileSync(file, 'utf8');
  const m = /\/\* expect:\n([\s\S]*?)\*\/\s*$/.exec(text);
  if (!m) throw new Error(`${file}: no /* expect: ... */ block at the end`);
  return { file, name: relative(DIR, file).replace(/\.ts$/, ''), expected: m[1], excluded: needsLinux(file) };
}

const cases = findPrograms(DIR).map(parseCase);
const eligible = cases.filter((c) => !c.excluded);

function errorText(e: unknown): string {
  return e instanceof UserError ? e.diagnostics.map((d) => formatDiagnostic(d)).join('\n') : String((e as Error)?.stack ?? e);
}

/** One program for the kernel target, its globals prefixed so that it links beside the others. */
function compileProgram(c: Case, index: number): ObjectFile {
  const tsconfig = writeTsconfig({ name: c.name, sources: programSources(c.file) }, join(OUT, '.cfg', c.name));
  const items = compileModule(lowerProgram(tsconfig), { target: 'kernel' });
  return prefixGlobals(assemble(items, c.file), `p${index}_`);
}

/** The harness's table: a count, then (name, main) per program, in running order. */
function tableSource(programs: { name: string; index: number }[]): string {
  const lines = ['        .section .rodata', '        .balign 8', '        .globl conformance_table', 'conformance_table:'];
  lines.push(`        .quad ${programs.length}`);
  for (const p of programs) lines.push(`        .quad name_${p.index}, p${p.index}_main`);
  for (const p of programs) lines.push(`name_${p.index}: .asciz "${p.name}"`);
  return lines.join('\n') + '\n';
}

interface Run {
  output?: string; // between its markers
  started: boolean;
}

/** Splits the serial log into each program's output by the harness's `@@start NAME` / `@@end NAME` lines. */
function splitSerial(serial: string): Map<string, Run> {
  const runs = new Map<string, Run>();
  let at = 0;
  for (;;) {
    const start = serial.indexOf('@@start ', at);
    if (start < 0) break;
    const nl = serial.indexOf('\n', start);
    if (nl < 0) break;
    const name = serial.slice(start + 8, nl);
    const endMarker = `@@end ${name}\n`;
    const end = serial.indexOf(endMarker, nl + 1);
    if (end < 0) {
      runs.set(name, { started: true });
      break;
    }
    runs.set(name, { started: true, output: serial.slice(nl + 1, end) });
    at = end + endMarker.length;
  }
  return runs;
}

describe('conformance programs in one QEMU boot', () => {
  const buildErrors = new Map<string, string>();
  let linkError: string | undefined;
  let result: BootResult | undefined;
  let runs = new Map<string, Run>();
  let running: string | undefined; // the program that never ended, if the boot stopped early

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const objects: ObjectFile[] = [];
    const built: { name: string; index: number }[] = [];
    eligible.forEach((c, index) => {
      try {
        objects.push(compileProgram(c, index));
        built.push({ name: c.name, index });
      } catch (e) {
        buildErrors.set(c.name, errorText(e));
      }
    });
    const asm = (path: string) => assemble(parseAtt(readFileSync(path, 'utf8'), path), path);
    const table = join(OUT, 'table.S');
    writeFileSync(table, tableSource(built));
    const kernel = join(OUT, 'kernel.elf');
    try {
      const linked = link(
        [asm(join(ROOT, 'runtime', 'boot.S')), asm(join(ROOT, 'tests', 'conformance-qemu', 'harness.S')), asm(table), ...objects],
        readLayout(join(ROOT, 'linker', 'kernel.toml')),
      );
      writeFileSync(kernel, writeExecutable(linked));
    } catch (e) {
      linkError = errorText(e);
      return;
    }
    result = await boot({ kernel, timeoutMs: 90_000 });
    writeFileSync(join(OUT, 'serial.log'), result.serial);
    runs = splitSerial(result.serial);
    running = [...runs].find(([, r]) => r.output === undefined)?.[0];
  }, 600_000);

  it(`runs ${eligible.length} of the ${cases.length} programs (the rest need Linux)`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(eligible.length).toBeGreaterThanOrEqual(190);
    expect(cases.filter((c) => c.excluded).map((c) => `${c.name}: ${c.excluded}`)).toEqual([
      'traps/div_zero_i32: expects a signal',
      'traps/min_div_minus1: expects a signal',
      'traps/rem_zero_u64: expects a signal',
    ]);
  });

  it('links into one image that runs every program and exits through isa-debug-exit', () => {
    expect(linkError).toBeUndefined();
    expect(result?.timedOut, 'QEMU timed out').toBe(false);
    expect(running, 'the machine stopped (a triple fault, exit status 0) while this program ran').toBeUndefined();
    expect(result?.serial).toMatch(/@@done\n$/);
    expect(result?.exitCode).toBe(EXIT_DONE);
  });

  for (const c of eligible) {
    it(c.name, () => {
      expect(buildErrors.get(c.name), 'build error').toBeUndefined();
      expect(linkError, 'link error').toBeUndefined();
      const run = runs.get(c.name);
      expect(run?.started, `never started (${running ? `the machine stopped in ${running}` : 'the boot ended early'})`).toBe(true);
      expect(run!.output, 'started but never ended: it faulted (triple fault) or hung').toBeDefined();
      expect(run!.output).toBe(c.expected);
    });
  }
});
