// The conformance programs inside one QEMU boot (issue 3, item 6): every program of
// tests/conformance that needs no Linux runtime is compiled for the kernel target, linked with
// kernel-src/arch/x86_64/boot.S and a small harness (tests/conformance-qemu/harness.S: kernel_main, rt_write to
// COM1, a minimal IDT, exit through isa-debug-exit) into one multiboot image by linker/kernel.toml,
// and booted once. The serial log is split by the harness's marker lines and each program's part
// must equal its `/* expect: ... */` block, one vitest test per program so that a failure names it.
// The image must also pass `grub-file --is-x86-multiboot`.
//
// A CPU exception in a program makes the harness print `@@trap V NAME` (e.g. `@@trap 0 #DE`) and
// go on with the next program. A program with an `// expect-signal: SIG` line (natively it dies by
// that signal after its output) must print its expect block and then trap with the exception that
// Linux turns into that signal (TRAP_OF_SIGNAL); every other program must not trap. Before them,
// the harness's own fault programs (tests/conformance-qemu/faults.S, table FAULTS) check other
// vectors, with and without an error code, and that the loop survives a wrecked stack.
//
// Every program defines `main`, `print`, ...: each is compiled to its own object, whose defined
// globals are then prefixed (`p17_main`) by linker/prefix.ts; `rt_write`, undefined in each, still
// resolves to the harness's one definition.
//
// Not run here (they need the Linux runtime): programs that make Linux system calls (the `syscall`
// intrinsic) or call `rt_exit`, and programs expecting a signal that no one exception stands for
// (TRAP_OF_SIGNAL): none at the time of writing, but the filter below keeps it that way.
//
// A fault the harness cannot take (one in its own handler) triple-faults the machine: QEMU then
// exits 0 instead of the harness's 33, and the program whose start marker has no end marker is the
// one that was running; its test says so. The programs after it are then booted again in a new
// image (out/conformance-qemu/kernel-1.elf, ...) so that one fault does not hide their results.
// Images, generated tables (.S) and serial logs (.log) are kept in out/conformance-qemu/.

import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileToIR } from '../compiler/driver/compile.ts';
import { compileModule } from '../compiler/driver/backend.ts';
import { assemble } from '../compiler/asm/assemble.ts';
import { parseAtt } from '../compiler/asm/att.ts';
import { formatDiagnostic, UserError } from '../linker/diag.ts';
import type { ObjectFile } from '../linker/object.ts';
import { link } from '../linker/link.ts';
import { readLayout } from '../linker/layout.ts';
import { writeExecutable } from '../linker/exec.ts';
import { prefixGlobals } from '../linker/prefix.ts';
import { programSources, writeTsconfig, yieldToLoop } from './differential/native.ts';
import { boot, type BootResult } from './qemu.ts';
import { requireTools } from './tools.ts';

requireTools('qemu-system-x86_64', 'grub-file');

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'tests', 'conformance');
const OUT = join(ROOT, 'out', 'conformance-qemu');
const EXIT_DONE = (0x10 << 1) | 1; // harness.S writes 0x10 to port 0xf4 after the last program

// The exception (as the harness names it: `vector mnemonic`) that Linux reports as each signal,
// where only one can: SIGSEGV, for one, may be a #GP or a #PF.
const TRAP_OF_SIGNAL: Record<string, string> = { SIGFPE: '0 #DE', SIGILL: '6 #UD', SIGTRAP: '3 #BP' };

// The harness's own fault programs (faults.S): each prints "before\n", then traps.
const FAULTS = [
  { name: 'harness/ud2', entry: 'fault_ud2', trap: '6 #UD' },
  { name: 'harness/int3', entry: 'fault_int3', trap: '3 #BP' },
  { name: 'harness/gp', entry: 'fault_gp', trap: '13 #GP' },
  { name: 'harness/pf', entry: 'fault_pf', trap: '14 #PF' },
];

interface Case {
  file: string;
  name: string; // area/name
  expected: string;
  trap?: string; // the `@@trap` line's text it must end with, for a program expecting a signal
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
  const signal = /^\/\/ expect-signal: (\w+)/m.exec(text)?.[1];
  const trap = signal && TRAP_OF_SIGNAL[signal];
  const excluded = signal && !trap ? `expects ${signal}, which no one exception stands for` : needsLinux(file);
  return { file, name: relative(DIR, file).replace(/\.ts$/, ''), expected: m[1], trap, excluded };
}

const cases = findPrograms(DIR).map(parseCase);
const eligible = cases.filter((c) => !c.excluded);

function errorText(e: unknown): string {
  return e instanceof UserError ? e.diagnostics.map((d) => formatDiagnostic(d)).join('\n') : String((e as Error)?.stack ?? e);
}

/** One program for the kernel target, its globals prefixed so that it links beside the others. */
function compileProgram(c: Case, index: number): ObjectFile {
  const tsconfig = writeTsconfig({ name: c.name, sources: programSources(c.file) }, join(OUT, '.cfg', c.name));
  const items = compileModule(compileToIR(tsconfig).module);
  return prefixGlobals(assemble(items, c.file), `p${index}_`);
}

/** The harness's table: a count, then (name, entry) per program, in running order. */
function tableSource(programs: Built[]): string {
  const lines = ['        .section .rodata', '        .balign 8', '        .globl conformance_table', 'conformance_table:'];
  lines.push(`        .quad ${programs.length}`);
  programs.forEach((p, i) => lines.push(`        .quad name_${i}, ${p.entry}`));
  programs.forEach((p, i) => lines.push(`name_${i}: .asciz "${p.name}"`));
  return lines.join('\n') + '\n';
}

interface Run {
  output?: string; // between its markers, without a final `@@trap` line
  trap?: string; // that line's text after `@@trap `
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
    const output = serial.slice(nl + 1, end);
    const trap = /@@trap (.*)\n$/.exec(output);
    runs.set(name, { started: true, output: trap ? output.slice(0, trap.index) : output, trap: trap?.[1] });
    at = end + endMarker.length;
  }
  return runs;
}

interface Built {
  name: string;
  entry: string; // the symbol the harness calls
  object?: ObjectFile; // undefined for the fault programs, all in faults.S
}

const asmFile = (path: string) => assemble(parseAtt(readFileSync(path, 'utf8'), path), path);

/** Links boot.S, the harness, its fault programs, the table and the programs into a kernel image at `path`. */
function linkImage(programs: Built[], path: string): void {
  const table = path.replace(/\.elf$/, '.S');
  writeFileSync(table, tableSource(programs));
  const objects = [
    asmFile(join(ROOT, 'kernel-src/arch/x86_64', 'boot.S')),
    asmFile(join(ROOT, 'tests', 'conformance-qemu', 'harness.S')),
    asmFile(join(ROOT, 'tests', 'conformance-qemu', 'faults.S')),
    asmFile(table),
    ...programs.flatMap((p) => (p.object ? [p.object] : [])),
  ];
  writeFileSync(path, writeExecutable(link(objects, readLayout(join(ROOT, 'linker', 'kernel.toml')))));
}

describe('prefixGlobals (linker/prefix.ts)', () => {
  const src = '.text\n.globl main\nmain: call helper\n call rt_write\n ret\nhelper: ret\n.weak hook\nhook: ret\n.data\n.quad main, hook\n';
  const obj = assemble(parseAtt(src, 't.S'), 't.S');
  const renamed = prefixGlobals(obj, 'p3_');
  const names = (o: ObjectFile) => o.symbols.filter((s) => s.name).map((s) => `${s.name}:${s.binding}:${s.section === 'undef' ? 'undef' : 'def'}`).sort();

  it('renames defined globals and weak symbols, not locals or undefined ones', () => {
    expect(names(renamed)).toEqual(['helper:local:def', 'p3_hook:weak:def', 'p3_main:global:def', 'rt_write:global:undef']);
    expect(names(obj)).toContain('main:global:def'); // the input is left as it was
  });

  it('keeps relocations pointing at the same symbols, under their new names', () => {
    const targets = (o: ObjectFile) => o.sections.flatMap((sec) => sec.relocs.map((r) => o.symbols[r.symbol].name));
    expect(targets(obj)).toEqual(expect.arrayContaining(['main', 'hook', 'rt_write']));
    expect(targets(renamed)).toEqual(targets(obj).map((n) => (n === 'main' || n === 'hook' ? 'p3_' + n : n)));
    expect(targets(renamed)).toContain('rt_write');
  });
});

describe('conformance programs in one QEMU boot', () => {
  const buildErrors = new Map<string, string>();
  let linkError: string | undefined;
  const boots: BootResult[] = [];
  const runs = new Map<string, Run>();
  const stoppedIn: string[] = []; // programs during which the machine stopped (triple fault)

  // Normally one boot runs everything. When the machine stops (a triple fault), the programs
  // after it are then linked into a new image and booted again, so that one fault does not hide
  // the results of everything after it. A hang (timeout) ends the attempt.
  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true }); // no images or logs left from an earlier run
    mkdirSync(OUT, { recursive: true });
    let remaining: Built[] = FAULTS.map((f) => ({ name: f.name, entry: f.entry }));
    for (const [index, c] of eligible.entries()) {
      try {
        remaining.push({ name: c.name, entry: `p${index}_main`, object: compileProgram(c, index) });
      } catch (e) {
        buildErrors.set(c.name, errorText(e));
      }
      await yieldToLoop();
    }
    for (let attempt = 0; remaining.length && attempt < 4; attempt++) {
      const kernel = join(OUT, attempt ? `kernel-${attempt}.elf` : 'kernel.elf');
      try {
        linkImage(remaining, kernel);
      } catch (e) {
        linkError = errorText(e);
        return;
      }
      const result = await boot({ kernel, timeoutMs: 60_000 });
      boots.push(result);
      writeFileSync(kernel.replace(/\.elf$/, '.log'), result.serial);
      const split = splitSerial(result.serial);
      for (const [name, run] of split) runs.set(name, run);
      const stopped = [...split].find(([, r]) => r.output === undefined)?.[0];
      if (!stopped || result.timedOut || result.exitCode !== 0) break;
      stoppedIn.push(stopped);
      remaining = remaining.slice(remaining.findIndex((p) => p.name === stopped) + 1);
    }
  }, 600_000);

  it(`runs ${eligible.length} of the ${cases.length} programs (the rest need Linux)`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(eligible.length).toBeGreaterThanOrEqual(cases.length - 10); // a few programs, not a large part
    expect(eligible.filter((c) => c.trap).length, 'programs expecting a signal').toBeGreaterThanOrEqual(3);
  });

  it('passes grub-file --is-x86-multiboot', async () => {
    expect(linkError).toBeUndefined();
    const r = await execa('grub-file', ['--is-x86-multiboot', join(OUT, 'kernel.elf')], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('links into one image that runs every program and exits through isa-debug-exit', () => {
    expect(linkError).toBeUndefined();
    expect(stoppedIn, 'the machine stopped (a triple fault, exit status 0) while these ran').toEqual([]);
    expect(boots.length).toBe(1);
    expect(boots[0].timedOut, 'QEMU timed out').toBe(false);
    expect(boots[0].serial).toMatch(/@@done\n$/);
    expect(boots[0].exitCode).toBe(EXIT_DONE);
  });

  /** Checks a program's run: its output, then the trap it ended by (undefined: it returned). */
  function checkRun(name: string, expected: string, trap: string | undefined): void {
    expect(linkError, 'link error').toBeUndefined();
    const run = runs.get(name);
    expect(run?.started, 'never started: the boot ended early (a hang or a fault before it)').toBe(true);
    expect(run!.output, 'started but never ended: it triple-faulted or hung').toBeDefined();
    expect(run!.output).toBe(expected);
    expect(run!.trap, trap ? 'the exception it ended by' : 'it ended by an exception').toBe(trap);
  }

  for (const f of FAULTS) it(`${f.name} (${f.trap})`, () => checkRun(f.name, 'before\n', f.trap));

  for (const c of eligible) {
    it(c.trap ? `${c.name} (${c.trap})` : c.name, () => {
      expect(buildErrors.get(c.name), 'build error').toBeUndefined();
      checkRun(c.name, c.expected, c.trap);
    });
  }
});
