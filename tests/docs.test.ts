// The examples in docs/ stay true: each one is run (or resolved against the current build) and
// compared with the text, so a change that moves a line or a message fails here, naming the doc.
//
// - docs/language.md: the sample error is the compiler's output for the file it names.
// - docs/debugging.md: the Linux-program gdb sessions (blocks with `(gdb) run`) run as written on
//   tests/dwarf/prog; a `# comment` after a command, or the lines under it, are its expected output
//   (`...` stands for anything). The kernel session is checked without booting: every `break`
//   resolves and every `FUNCTION (...) at .../FILE:LINE` names code of that function. The
//   addr2line example runs and prints what the text says.

import { execa } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileToIR } from '../compiler/driver/compile.js';
import { buildProgram } from '../compiler/driver/build.js';
import { LINUX } from '../compiler/driver/target.js';
import { UserError, formatDiagnostic } from '../linker/diag.js';
import { requireTools } from './tools.js';

requireTools('gdb', 'addr2line', 'nm');

const ROOT = resolve(import.meta.dirname, '..');
const KERNEL = join(ROOT, 'out/kernel.elf');
const doc = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8');

/** The fenced code blocks of a Markdown text, as lists of lines. */
function codeBlocks(md: string): string[][] {
  return [...md.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1].replace(/\n$/, '').split('\n'));
}

/** A documented expectation as a pattern: `...` matches anything, whitespace any whitespace;
 *  commas are left out (the doc's comments put on one line, with commas, what gdb prints on several). */
function pattern(text: string): RegExp {
  const parts = text.replace(/,/g, '').trim().split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(parts.join('.*?'), 's');
}

/** gdb's output on one line, without commas, to compare with pattern(). */
function flat(out: string): string {
  return out.replace(/,/g, '').replace(/\s+/g, ' ').trim();
}

interface Step {
  command: string;
  expect: string[]; // the comment after it and the lines under it
}

/** The `(gdb) ...` steps of a block, each with what the doc says it prints. */
function gdbSteps(block: string[]): Step[] {
  const steps: Step[] = [];
  for (const line of block) {
    const m = /^\(gdb\) (.*?)\s*(?:#\s*(.*))?$/.exec(line);
    if (m) steps.push({ command: m[1], expect: m[2] ? [m[2]] : [] });
    else if (steps.length && line.trim() && !line.trim().startsWith('#')) steps.at(-1)!.expect.push(line);
    else if (steps.length && line.trim().startsWith('#')) steps.at(-1)!.expect.push(line.trim().slice(1));
  }
  return steps;
}

/** Runs gdb in batch mode; returns each command's output. */
async function gdbOutputs(file: string, commands: string[]): Promise<string[]> {
  const args = ['-batch', '-nx', ...commands.flatMap((c, i) => ['-ex', `echo @@step ${i}\\n`, '-ex', c]), file];
  const r = await execa('gdb', args, { reject: false, timeout: 60_000 }); // errors go to stderr
  return r.stdout.split(/^@@step \d+\n/m).slice(1);
}

describe('docs/language.md', () => {
  it('the sample error is what the compiler prints for the file it names', () => {
    const sample = codeBlocks(doc('language.md'))[0].join('\n');
    const [, file, line, col] = /^(\S+?):(\d+):(\d+) - /.exec(sample)!;
    let printed: string[] = [];
    try {
      compileToIR(join(ROOT, file, '..'));
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      printed = e.diagnostics
        .filter((d) => d.loc?.file === join(ROOT, file) && d.loc.line === Number(line) && d.loc.col === Number(col))
        .map((d) => formatDiagnostic(d).replace(/\n+$/, ''));
    }
    expect(printed).toEqual([sample]);
  });
});

describe('docs/debugging.md', () => {
  const blocks = codeBlocks(doc('debugging.md')).filter((b) => b.some((l) => l.startsWith('(gdb)')));
  const linux = blocks.filter((b) => b.some((l) => /^\(gdb\) run\b/.test(l)));
  const kernel = blocks.filter((b) => b.some((l) => l.includes('target remote')));
  let prog = '';

  beforeAll(() => {
    prog = join(mkdtempSync(join(tmpdir(), 'docs-test-')), 'prog');
    buildProgram({ tsconfig: join(ROOT, 'tests/dwarf/prog/tsconfig.json'), target: LINUX, out: prog, quiet: true });
  });

  it('has the sessions this test checks', () => {
    expect(linux.length).toBeGreaterThanOrEqual(2);
    expect(kernel).toHaveLength(1);
  });

  it('the Linux-program sessions print what the text shows', async () => {
    for (const block of linux) {
      const steps = gdbSteps(block);
      const outputs = await gdbOutputs(prog, steps.map((s) => s.command));
      steps.forEach((s, i) => {
        for (const e of s.expect) expect(flat(outputs[i]), `(gdb) ${s.command}`).toMatch(pattern(e));
      });
    }
  });

  it('the kernel session: every break resolves, every frame names its function at its line', async () => {
    const steps = gdbSteps(kernel[0]);
    const breaks = steps.filter((s) => s.command.startsWith('break ')).map((s) => s.command);
    const frames = steps.flatMap((s) => s.expect)
      .map((e) => /^\s*(\w+) \(.*\) at \.\.\.\/(\S+):(\d+)$/.exec(e))
      .filter((m) => m !== null)
      .map((m) => ({ fn: m[1], file: m[2], line: Number(m[3]) }));
    expect(breaks.length).toBeGreaterThanOrEqual(2);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const outputs = await gdbOutputs(KERNEL, [...breaks, ...frames.map((f) => `info line ${f.file}:${f.line}`)]);
    breaks.forEach((b, i) => {
      const line = /:(\d+)$/.exec(b)?.[1] ?? '\\d+'; // a line breakpoint must land on that line, not the next with code
      expect(outputs[i], b).toMatch(new RegExp(`^Breakpoint \\d+ at 0x[0-9a-f]+: file .*, line ${line}\\.$`, 'm'));
    });
    frames.forEach((f, i) => {
      expect(readFileSync(join(ROOT, f.file), 'utf8').split('\n').length, f.file).toBeGreaterThanOrEqual(f.line);
      expect(outputs[breaks.length + i], `${f.fn} at ${f.file}:${f.line}`).toMatch(new RegExp(`starts at address 0x[0-9a-f]+ <${f.fn}\\+\\d+>`));
    });
  });

  it('the addr2line example prints what the text says', async () => {
    const m = /`(addr2line [^`]+)`\s+prints `([^`]+)` and\s+`([^`]+)`/.exec(doc('debugging.md'));
    expect(m, 'the addr2line example').not.toBeNull();
    const r = await execa('sh', ['-c', m![1]], { cwd: ROOT });
    const [fn, where] = r.stdout.split('\n');
    expect(fn).toBe(m![2]);
    expect(where).toMatch(pattern(m![3]));
  });
});
