// Debug information (linker/dwarf.ts) checked with the tools that read it: readelf and objdump
// decode it without a warning, objdump's decoded line table gives every instruction the source
// line the compiler recorded for it, and gdb breaks on TypeScript lines and functions, steps, and
// shows TypeScript names and file:line in backtraces -- natively for a Linux-target program, and
// in the kernel under QEMU's gdb stub.

import { describe, it, expect, beforeAll } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { compileToIR } from '../compiler/driver/compile.js';
import { compileModule } from '../compiler/driver/backend.js';
import { assemble } from '../compiler/asm/assemble.js';
import { assembleFile, buildProgram } from '../compiler/driver/build.js';
import { LINUX } from '../compiler/driver/target.js';
import { link, type LinkResult } from '../linker/link.js';
import { readLayout } from '../linker/layout.js';
import { writeExecutable } from '../linker/exec.js';
import { newSection, SHF_ALLOC, SHF_EXECINSTR, SHT_PROGBITS, type LineEntry, type ObjectFile } from '../linker/object.js';
import { requireTools } from './tools.js';

requireTools('gdb', 'qemu-system-x86_64', 'grub-file', 'objdump', 'readelf');

const ROOT = resolve(__dirname, '..');
const PROG = join(ROOT, 'tests/dwarf/prog');
const REGIONS = join(ROOT, 'tests/dwarf/regions.S');
const LINUX_TOML = join(ROOT, 'linker/linux.toml');
const KERNEL = join(ROOT, 'out/kernel.elf');
const tmp = mkdtempSync(join(tmpdir(), 'dwarf-test-'));

/** Line numbers of the `@name` markers in a source file. */
function markers(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  readFileSync(path, 'utf8').split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/@([\w-]+)/g)) out[m[1]] = i + 1;
  });
  return out;
}

interface Built {
  path: string;
  objects: ObjectFile[];
  result: LinkResult;
}

function linkTo(name: string, objects: ObjectFile[]): Built {
  const result = link(objects, readLayout(LINUX_TOML));
  const path = join(tmp, name);
  writeFileSync(path, writeExecutable(result), { mode: 0o755 });
  return { path, objects, result };
}

async function gdb(file: string, commands: string[]): Promise<string> {
  const args = ['-batch', '-nx', ...commands.flatMap((c) => ['-ex', c]), file];
  const r = await execa('gdb', args, { reject: false, timeout: 60_000 });
  return r.stdout + '\n' + r.stderr;
}

/** readelf's DWARF dumps: exit 0, nothing on stderr, no warning anywhere. */
async function readelfClean(file: string, args: string[]): Promise<string> {
  const r = await execa('readelf', [...args, '-W', file], { reject: false });
  expect(r.exitCode).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).not.toMatch(/warning/i);
  return r.stdout;
}

interface Row {
  file: string;
  line: number | undefined; // undefined: end of sequence
  addr: bigint;
}

/** objdump --dwarf=decodedline, as rows in file order (one sequence after another). */
async function decodedLines(file: string): Promise<Row[]> {
  const r = await execa('objdump', ['--dwarf=decodedline', file]);
  expect(r.stderr).toBe('');
  const rows: Row[] = [];
  for (const l of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)/.exec(l);
    if (m) rows.push({ file: m[1], line: m[2] === '-' ? undefined : Number(m[2]), addr: BigInt(m[3]) });
  }
  return rows;
}

/** The row covering an address: each row covers up to the next row of its sequence. */
function lookup(rows: Row[], addr: bigint): Row | undefined {
  return rows.find((r, i) => r.line !== undefined && r.addr <= addr && addr < rows[i + 1].addr);
}

describe('a Linux-target TypeScript program', () => {
  let prog: Built;
  const math = markers(join(PROG, 'math.ts'));
  const main = markers(join(PROG, 'main.ts'));

  beforeAll(() => {
    const tsconfig = join(PROG, 'tsconfig.json');
    const items = compileModule(compileToIR(tsconfig).module);
    prog = linkTo('prog', [assemble(items, tsconfig), assembleFile(join(ROOT, 'runtime/linux/start.S'))]);
  });

  it('readelf decodes .debug_line and .debug_info without warnings: DWARF 5, TS files, functions', async () => {
    const out = await readelfClean(prog.path, ['--debug-dump=line,info,abbrev,aranges,Ranges']);
    expect(out).toMatch(/DWARF Version:\s+5/);
    expect(out.match(/Set prologue_end to true/g)?.length).toBeGreaterThanOrEqual(3); // main, fact, sum_to
    expect(out).toMatch(/\(string\)\s+main\.ts/);
    expect(out).toMatch(/\(string\)\s+math\.ts/);
    expect(out).toMatch(/\(string\)\s+start\.S/);
    for (const f of ['main', 'fact', 'sum_to']) expect(out).toMatch(new RegExp(`DW_AT_name\\s+: \\(string\\) ${f}\\n`));
    expect(out.match(/Abbrev Number: \d+ \(DW_TAG_compile_unit\)/g)).toHaveLength(2); // the TS program and start.S
  });

  it('readelf -a and objdump -d stay clean; the debug sections are not loaded', async () => {
    await readelfClean(prog.path, ['-a']);
    const s = await execa('readelf', ['-S', '-l', '-W', prog.path]);
    for (const l of s.stdout.split('\n').filter((l) => /\.debug_/.test(l) && /PROGBITS/.test(l))) {
      expect(l).not.toMatch(/\s[WAX]+\s+\d+\s+\d+\s+\d+$/); // no alloc/write/exec flags
    }
    const mapping = s.stdout.slice(s.stdout.indexOf('Section to Segment mapping'));
    expect(mapping).not.toMatch(/\.debug/);
    const d = await execa('objdump', ['-d', prog.path]);
    expect(d.stderr).toBe('');
  });

  it('the decoded line table gives every instruction the line the compiler recorded', async () => {
    const rows = await decodedLines(prog.path);
    let checked = 0;
    prog.objects.forEach((o, oi) =>
      o.sections.forEach((s, si) => {
        const out = prog.result.sections.find((x) => x.pieces.some((p) => p.object === oi && p.section === si));
        if (!out || s.lines.length === 0) return;
        const base = out.vma + BigInt(out.pieces.find((p) => p.object === oi && p.section === si)!.offset);
        s.lines.forEach((l, i) => {
          if (s.lines[i + 1]?.offset === l.offset) return; // the instruction there is the last entry's
          const row = lookup(rows, base + BigInt(l.offset));
          expect(row, `${o.name} ${s.name}+${l.offset}`).toBeDefined();
          expect([row!.file, row!.line]).toEqual([basename(l.loc.file), l.loc.line]);
          checked++;
        });
      }),
    );
    expect(checked).toBeGreaterThan(20);
  });

  it('gdb breaks on a TS line; the backtrace shows TS functions with file:line', async () => {
    const out = await gdb(prog.path, [`break math.ts:${math['sum-loop']}`, 'run', 'bt', 'info line *$pc']);
    expect(out).toMatch(new RegExp(`Breakpoint 1, sum_to \\(n=10\\) at \\S*tests/dwarf/prog/math\\.ts:${math['sum-loop']}`));
    expect(out).toMatch(new RegExp(`#0 +sum_to \\(n=10\\) at \\S*math\\.ts:${math['sum-loop']}`));
    expect(out).toMatch(new RegExp(`#1 +0x[0-9a-f]+ in main \\(\\) at \\S*tests/dwarf/prog/main\\.ts:${main['call-sum']}`));
    expect(out).toMatch(new RegExp(`Line ${math['sum-loop']} of "\\S*math\\.ts" starts at address`));
  });

  it('gdb breaks on a TS function after its prologue and unwinds through recursion', async () => {
    const out = await gdb(prog.path, ['break fact', 'ignore 1 4', 'run', 'bt']);
    expect(out).toMatch(new RegExp(`Breakpoint 1 at 0x[0-9a-f]+: file \\S*math\\.ts, line ${math['fact-base']}\\.`));
    const frames = out.split('\n').filter((l) => /^#\d+ /.test(l));
    expect(frames.map((f) => /(\w+) \([^)]*\) at \S*\/(\w+\.ts):(\d+)/.exec(f)?.slice(1).join(':'))).toEqual([
      `fact:math.ts:${math['fact-base']}`,
      ...Array(4).fill(`fact:math.ts:${math['fact-rec']}`),
      `main:main.ts:${main['call-fact']}`,
    ]);
  });

  it('gdb steps over a line with next, and into a callee with step', async () => {
    const out = await gdb(prog.path, ['break main', 'run', 'next', 'step', 'bt 1']);
    const stops = out.split('\n').filter((l) => /^\d+\t/.test(l)).map((l) => Number(l.split('\t')[0]));
    expect(stops.slice(0, 2)).toEqual([main['call-fact'], main['call-sum']]);
    // The first line of sum_to's body that has code of its own (`let s = 0` may have none).
    const into = new RegExp(`sum_to \\(n=10\\) at \\S*math\\.ts:(\\d+)`).exec(out);
    expect(Number(into?.[1])).toBeGreaterThanOrEqual(math['sum-init']);
    expect(Number(into?.[1])).toBeLessThanOrEqual(math['sum-ret']);
  });
});

/** gdb's `name = value` lines (info args, info locals, print), as a map. */
function values(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of out.split('\n')) {
    const x = /^(\$?\w+) = (.*)$/.exec(l);
    if (x) m.set(x[1], x[2]);
  }
  return m;
}

/** Each shown value is <optimized out> or what the program computes there; never another one. */
function expectRightOrOptimizedOut(shown: Map<string, string>, expected: Record<string, string>): void {
  for (const [name, value] of shown) {
    if (value === '<optimized out>' || !(name in expected)) continue;
    expect(`${name} = ${value}`).toBe(`${name} = ${expected[name]}`);
  }
}

describe('variables, parameters and types (a Linux-target program)', () => {
  let path: string;
  const task = markers(join(PROG, 'task.ts'));
  const math = markers(join(PROG, 'math.ts'));

  beforeAll(() => {
    path = join(tmp, 'prog-vars');
    buildProgram({ tsconfig: join(PROG, 'tsconfig.json'), target: LINUX, out: path, quiet: true });
  });

  it('readelf decodes the variables, their types and location lists without warnings', async () => {
    const out = await readelfClean(path, ['--debug-dump=info,loc']);
    for (const tag of ['DW_TAG_formal_parameter', 'DW_TAG_variable', 'DW_TAG_base_type', 'DW_TAG_pointer_type', 'DW_TAG_structure_type', 'DW_TAG_member', 'DW_TAG_array_type']) {
      expect(out).toContain(tag);
    }
    expect(out).toMatch(/DW_AT_frame_base\s+: \(exprloc\) 2 byte block: 76 0\s+\(DW_OP_breg6 \(rbp\): 0\)/);
    expect(out).toMatch(/\(DW_OP_reg\d+ \(\w+\)\)/);
    expect(out).toMatch(/\(DW_OP_fbreg: -\d+\)/);
  });

  it('info args, info locals and print show parameters, locals and struct fields', async () => {
    const out = await gdb(path, [`break task.ts:${task['make-stack']}`, 'run', 'info args', 'info locals', 'print *t', 'print t->tid',
      'continue', 'print *t', 'print t->next->tid', 'print *t->next', 'ptype t']);
    const [first, second] = out.split(/^Breakpoint 1, /m).slice(1);
    // The first call: make(0, 7, 3, null).
    expect(first).toMatch(/^make \(slot=(0|<optimized out>), tid=7, prio=3 '\\003', next=0x0\)/);
    expectRightOrOptimizedOut(values(first), { slot: '0', tid: '7', prio: "3 '\\003'", next: '0x0' });
    expect(values(first).get('$1')).toBe("{tid = 7, prio = 3 '\\003', next = 0x0, stack = 0}");
    expect(values(first).get('$2')).toBe('7');
    // The second: make(1, 42, 9, first); first's stack was set after the first stop.
    expect(second).toMatch(/^make \(slot=(1|<optimized out>), tid=42, prio=9 '\\t', next=0x[0-9a-f]+ <arena>\)/);
    expect(values(second).get('$3')).toMatch(/^\{tid = 42, prio = 9 '\\t', next = 0x[0-9a-f]+ <arena>, stack = 0\}$/);
    expect(values(second).get('$4')).toBe('7');
    expect(values(second).get('$5')).toBe("{tid = 7, prio = 3 '\\003', next = 0x0, stack = 28672}");
    expect(out).toMatch(/type = struct Task \{\s+u32 tid;\s+u8 prio;\s+struct Task \*next;\s+u64 stack;\s+\} \*/);
  });

  it('locals in a callee-saved register, in the frame and across a call; outer frames never show stale registers', async () => {
    const out = await gdb(path, [`break task.ts:${task['weigh-ret']}`, 'run', 'info args', 'info locals', 'print scaled', 'print marks[1]',
      'print t->tid', 'up', 'info locals']);
    const shown = values(out.slice(out.indexOf('Breakpoint 1, ')));
    // weigh(second, 5): scaled = 42 * 5 + 7, total = scaled + scaled + 1.
    expect(shown.get('scaled')).toBe('217');
    expect(shown.get('marks')).toBe('{5, 42, 0, 0}');
    expect(shown.get('$1')).toBe('217');
    expect(shown.get('$2')).toBe('42');
    expectRightOrOptimizedOut(shown, { k: '5', total: '435', $3: '42', a: '120', b: '55' });
    expect(out).toMatch(/#1 +0x[0-9a-f]+ in main \(\)/);
  });

  it('recursion: each frame shows its own n or <optimized out>, never another frame\'s', async () => {
    const out = await gdb(path, ['break fact', 'ignore 1 4', 'run', 'bt', 'frame 2', 'info args']);
    const lines = out.split('\n').filter((l) => /^#\d+ +(0x[0-9a-f]+ in )?fact /.test(l));
    const frames = lines.slice(0, 5); // then `frame 2` prints its line again
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe(frames[2]);
    expect(frames[0]).toMatch(/fact \(n=1\)/);
    frames.forEach((f, k) => expect(f).toMatch(new RegExp(`fact \\(n=(${k + 1}|<optimized out>)\\)`)));
    expect(out).toMatch(new RegExp(`Breakpoint 1, fact \\(n=1\\) at \\S*math\\.ts:${math['fact-base']}`));
  });
});

describe('a unit spread over two sections (assembly)', () => {
  let prog: Built;
  const marks = markers(REGIONS);

  beforeAll(() => {
    prog = linkTo('regions', [assembleFile(REGIONS)]);
  });

  it('has DW_AT_ranges with both ranges in .debug_rnglists and the assembler language', async () => {
    const out = await readelfClean(prog.path, ['--debug-dump=info,line,aranges,Ranges']);
    expect(out).toMatch(/DW_AT_ranges\s+: \(sec_offset\) 0xc/);
    expect(out).toMatch(/DW_AT_language\s+: \(data2\) 32769\s+\(MIPS assembler\)/);
    const ranges = out.slice(out.indexOf('.debug_rnglists'));
    expect(ranges.match(/0000000000[0-9a-f]{6} 0000000000[0-9a-f]{6}/g)).toHaveLength(2);
  });

  it('gdb finds the source lines of functions in both sections', async () => {
    const out = await gdb(prog.path, ['info line func_b', 'info line _start']);
    expect(out).toMatch(new RegExp(`Line ${marks['func-b']} of "\\S*regions\\.S" starts at address 0x[0-9a-f]+ <func_b>`));
    expect(out).toMatch(new RegExp(`Line ${marks['start-call']} of "\\S*regions\\.S" starts at address 0x[0-9a-f]+ <_start>`));
  });
});

describe('line programs with every kind of step', () => {
  // A made-up object: long gaps between entries (advance_pc), big jumps back and forth in line
  // numbers (advance_line), three files in three directories, several entries at one offset (the
  // last one counts), column-only changes (no new row). A fixed pseudo-random sequence.
  const SIZE = 100_000;
  const files = ['/src/a/one.ts', '/src/b/two.ts', '/elsewhere/three.ts'];
  function object(): ObjectFile {
    const text = newSection('.text', SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16);
    text.data = new Uint8Array(SIZE).fill(0x90);
    text.size = SIZE;
    let seed = 12345;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const lines: LineEntry[] = [];
    for (let offset = 0, line = 1; offset < SIZE; ) {
      const jump = [0, 1, 1, 2, -1, -7, 13, -300, 5000][next(9)];
      line = Math.max(1, line + jump);
      lines.push({ offset, loc: { file: files[next(10) < 8 ? 0 : 1 + next(2)], line, col: 1 + next(40) } });
      offset += [0, 1, 2, 5, 16, 17, 100, 255, 1000, 4000][next(10)];
    }
    text.lines = lines;
    const start = { name: '_start', section: 0, value: 0n, size: SIZE, binding: 'global' as const, type: 'func' as const, loc: lines[0].loc };
    return { name: '/src/synthetic.o', sections: [text], symbols: [start] };
  }

  it('objdump decodes each entry to its file and line', async () => {
    const prog = linkTo('synthetic', [object()]);
    await readelfClean(prog.path, ['--debug-dump=line,info,aranges']);
    const rows = await decodedLines(prog.path);
    const text = prog.objects[0].sections[0];
    const base = prog.result.sections[0].vma;
    let checked = 0;
    text.lines.forEach((l, i) => {
      if (text.lines[i + 1]?.offset === l.offset) return;
      const row = lookup(rows, base + BigInt(l.offset));
      expect([row?.file, row?.line], `offset ${l.offset}`).toEqual([basename(l.loc.file), l.loc.line]);
      checked++;
    });
    expect(checked).toBeGreaterThan(250);
    expect(rows[rows.length - 1]).toEqual({ file: expect.any(String), line: undefined, addr: base + BigInt(SIZE) });
  });
});

/** The line of kernel-src/main.ts that declares kernel_main. */
function kernelMainLine(): number {
  return readFileSync(join(ROOT, 'kernel-src/main.ts'), 'utf8').split('\n').findIndex((l) => /function kernel_main\b/.test(l)) + 1;
}

describe('out/kernel.elf', () => {
  it('exists (make builds it before the tests run)', () => {
    expect(existsSync(KERNEL)).toBe(true);
  });

  it('readelf reads it and its DWARF without a warning; grub-file still accepts it', async () => {
    await readelfClean(KERNEL, ['-a']);
    const out = await readelfClean(KERNEL, ['--debug-dump=line,info,aranges,Ranges']);
    expect(out).toMatch(/kernel-src/);
    expect(out).toMatch(/DW_AT_name\s+: \(string\) kernel_main\n/);
    const g = await execa('grub-file', ['--is-x86-multiboot', KERNEL], { reject: false });
    expect(g.exitCode).toBe(0);
  });

  it('gdb resolves kernel_main to kernel-src/main.ts', async () => {
    const decl = kernelMainLine();
    const out = await gdb(KERNEL, ['info line kernel_main']);
    expect(out).toMatch(new RegExp(`Line ${decl} of "\\S*kernel-src/main\\.ts" starts at address 0xffffffff8[0-9a-f]+ <kernel_main>`));
  });

  it('gdb attached to QEMU stops in kernel_main at a TS line, called from boot.S', async () => {
    const port = await freePort();
    const qemu = execa('qemu-system-x86_64', ['-kernel', KERNEL, '-m', '512M', '-display', 'none', '-no-reboot', '-serial', 'null',
      '-monitor', 'none', '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { reject: false, timeout: 90_000 });
    try {
      // No need to wait for QEMU to listen: gdb retries connecting (`set tcp auto-retry`, 15 s).
      const out = await gdb(KERNEL, [`target remote 127.0.0.1:${port}`, 'break kernel_main', 'continue', 'bt 2']);
      // Past the prologue, which gdb cannot read here (paging is off when the breakpoint is set):
      // it takes the body's first line from the prologue_end flag in the line table.
      const stop = /Breakpoint 1, kernel_main \(magic=732803074, mbi_phys=\d+\) at \S*kernel-src\/main\.ts:(\d+)/.exec(out);
      expect(Number(stop?.[1])).toBeGreaterThan(kernelMainLine());
      expect(out).toMatch(/#1 +0x[0-9a-f]+ in \w+ \(\) at \S*kernel-src\/arch\/x86_64\/boot\.S:\d+/);
    } finally {
      qemu.kill('SIGTERM');
      await qemu;
    }
  });
});

/** A TCP port nobody listens on right now (the kernel's own choice, then released). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

// ---- call frame information ----

interface FrameRow {
  addr: bigint;
  cfa: string; // e.g. rbp+16
  regs: Map<string, string>; // register -> c-16 (saved at CFA - 16); absent or `u`: the caller's value
}

/** readelf's interpreted .debug_frame: per FDE, its range and its table rows. */
async function frameTables(file: string): Promise<{ lo: bigint; hi: bigint; rows: FrameRow[] }[]> {
  const out = await readelfClean(file, ['--debug-dump=frames-interp']);
  const fdes: { lo: bigint; hi: bigint; rows: FrameRow[] }[] = [];
  let columns: string[] = [];
  for (const l of out.split('\n')) {
    const fde = /FDE cie=\w+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(l);
    if (fde) fdes.push({ lo: BigInt('0x' + fde[1]), hi: BigInt('0x' + fde[2]), rows: [] });
    else if (/^\s+LOC\s+CFA/.test(l)) columns = l.trim().split(/\s+/).slice(2);
    else if (/^[0-9a-f]{16} /.test(l) && fdes.length) {
      const [addr, cfa, ...cells] = l.trim().split(/\s+/);
      fdes[fdes.length - 1].rows.push({ addr: BigInt('0x' + addr), cfa, regs: new Map(columns.map((c, i) => [c, cells[i]])) });
    }
  }
  return fdes;
}

/** objdump -d: each instruction's address and text (mnemonic and operands). */
async function disassembly(file: string): Promise<{ addr: bigint; text: string }[]> {
  const r = await execa('objdump', ['-d', '-w', '--no-show-raw-insn', file]);
  return r.stdout.split('\n').flatMap((l) => {
    const m = /^\s*([0-9a-f]+):\t(.*)$/.exec(l);
    return m ? [{ addr: BigInt('0x' + m[1]), text: m[2].replace(/\s+/g, ' ').trim() }] : [];
  });
}

const CALLEE_SAVED_REGS = ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15'];

/**
 * Checks an FDE's table against the frame that the machine code itself builds, instruction by
 * instruction: pushes and pops move rsp (CFA - rsp is `depth`), `mov %rsp,%rbp` makes the CFA
 * rbp-relative, prologue pushes save registers, pops of their slots restore them, and code after a `ret`
 * is back in the body's frame. Returns the number of instructions checked.
 */
function checkFrames(fde: { lo: bigint; hi: bigint; rows: FrameRow[] }, code: { addr: bigint; text: string }[]): number {
  let cfaReg = 'rsp';
  let depth = 8;
  let saved = new Map<string, number>();
  let prologue = true;
  let body: { cfaReg: string; saved: Map<string, number> } | undefined;
  const insns = code.filter((i) => i.addr >= fde.lo && i.addr < fde.hi);
  for (const i of insns) {
    const row = [...fde.rows].reverse().find((r) => r.addr <= i.addr)!;
    const want = `${cfaReg}+${cfaReg === 'rsp' ? depth : 16}`;
    expect(`${i.addr.toString(16)} ${i.text}: ${row.cfa}`).toBe(`${i.addr.toString(16)} ${i.text}: ${want}`);
    for (const reg of CALLEE_SAVED_REGS) {
      const shown = row.regs.get(reg) ?? 'u';
      const off = saved.get(reg);
      expect(`${i.addr.toString(16)} ${i.text}: ${reg} ${shown}`).toBe(`${i.addr.toString(16)} ${i.text}: ${reg} ${off === undefined ? 'u' : `c${off}`}`);
    }
    const push = /^push %(\w+)$/.exec(i.text);
    const pop = /^pop %(\w+)$/.exec(i.text);
    if (prologue && !push && i.text !== 'mov %rsp,%rbp') {
      prologue = false;
      body = { cfaReg, saved: new Map(saved) };
    }
    if (push) {
      depth += 8;
      if (prologue) saved.set(push[1], -depth);
    } else if (i.text === 'mov %rsp,%rbp') cfaReg = 'rbp';
    else if (/^sub \$0x[0-9a-f]+,%rsp$/.test(i.text)) depth += Number(i.text.slice(5, i.text.indexOf(',')));
    else if (/^lea -0x[0-9a-f]+\(%rbp\),%rsp$/.test(i.text)) depth = 16 + Number(i.text.slice(5, i.text.indexOf('(')));
    else if (i.text === 'leave' || (pop && pop[1] === 'rbp')) {
      saved.delete('rbp');
      [cfaReg, depth] = ['rsp', 8];
    } else if (pop) {
      // A restore only when it pops the slot the prologue saved the register in: the body may
      // use a callee-saved register for its own push/pop (pushf; pop %r15 reads the flags).
      if (saved.get(pop[1]) === -depth) saved.delete(pop[1]);
      depth -= 8;
    } else if (i.text === 'pushf') depth += 8;
    else if (i.text === 'popf') depth -= 8; else if (/^ret/.test(i.text)) {
      cfaReg = body!.cfaReg;
      saved = new Map(body!.saved);
      depth = 16 + 8 * (saved.size - 1); // unused while the CFA is rbp-relative
    }
  }
  return insns.length;
}

describe('call frame information (.debug_frame)', () => {
  let path: string;
  const frames = markers(join(PROG, 'frames.ts'));

  beforeAll(() => {
    path = join(tmp, 'prog-frames');
    buildProgram({ tsconfig: join(PROG, 'tsconfig.json'), target: LINUX, out: path, quiet: true });
  });

  it('readelf decodes it without warnings: an FDE for each TS function, none for start.S', async () => {
    const fdes = await frameTables(path);
    const syms = (await execa('readelf', ['-s', '-W', path])).stdout;
    const funcs = [...syms.matchAll(/([0-9a-f]{16}) +(\d+) FUNC .* (\S+)$/gm)].map((m) => ({ addr: BigInt('0x' + m[1]), size: BigInt(m[2]), name: m[3] }));
    expect(funcs.map((f) => f.name)).toEqual(expect.arrayContaining(['main', 'fact', 'depth', 'juggle', 'bottom']));
    for (const f of funcs) expect(fdes.some((d) => d.lo === f.addr && d.hi === f.addr + f.size), f.name).toBe(true);
    expect(fdes).toHaveLength(funcs.length);
    const start = /([0-9a-f]{16}) +\d+ \w+ +\w+ +\w+ +\d+ _start$/m.exec(syms);
    expect(start).not.toBeNull();
    expect(fdes.some((d) => d.lo <= BigInt('0x' + start![1]) && BigInt('0x' + start![1]) < d.hi)).toBe(false);
  });

  it('each instruction\'s CFA and saved registers are those the machine code sets up', async () => {
    const [fdes, code] = await Promise.all([frameTables(path), disassembly(path)]);
    let checked = 0;
    for (const fde of fdes) checked += checkFrames(fde, code);
    expect(checked).toBeGreaterThan(100);
    // juggle saves all five callee-saved registers (p..t live across its call).
    const juggle = fdes.find((d) => d.rows.some((r) => ['rbx', 'r12', 'r13', 'r14', 'r15'].every((reg) => r.regs.get(reg)?.startsWith('c-'))));
    expect(juggle).toBeDefined();
  });

  it('gdb unwinds a deep recursion completely; outer frames show callee-saved locals right', async () => {
    const cmds = [`break frames.ts:${frames.bottom}`, 'run', 'bt'];
    for (let k = 1; k <= 22; k++) cmds.push(`frame ${k}`, 'info locals');
    const out = await gdb(path, cmds);
    const bt = out.split('\n').filter((l) => /^#\d+ /.test(l)).slice(0, 24);
    expect(bt.map((l) => /^#\d+ +(?:0x[0-9a-f]+ in )?(\w+) /.exec(l)?.[1])).toEqual(['bottom', ...Array(21).fill('depth'), 'juggle', 'main']);
    expect(bt[22]).toMatch(new RegExp(`juggle .* at \\S*frames\\.ts:${frames['juggle-call']}$`));
    expect(out).not.toMatch(/Backtrace stopped|previous frame identical/);
    // juggle(652, 3, 4): main's result is 120 + 55 + 477 before the call.
    const [a, b, c] = [652n, 3n, 4n];
    const p = a * 7n + 1n, q = b * 11n + 2n, r = c * 13n + 3n, s = a * b + 4n, t = b * c + 5n;
    // depth(n, acc) for n = 20 down to 0, each `here` = acc * 3 + n, passing here & 0xffff down.
    const here: bigint[] = [];
    for (let n = 20n, acc = p + q + r; n >= 0n; n--) {
      here[Number(n)] = acc * 3n + n;
      acc = here[Number(n)] & 0xffffn;
    }
    const sections = out.split(/^#(\d+) /m);
    let shown = 0;
    for (let i = 1; i + 1 < sections.length; i += 2) {
      const k = Number(sections[i]);
      if (!sections[i + 1].includes('\n') || k === 0 || k > 22) continue;
      const vals = values(sections[i + 1]);
      if (vals.size === 0) continue; // the bt line, not a `frame k` section
      const want: Record<string, string> = k === 22 ? { p: `${p}`, q: `${q}`, r: `${r}`, s: `${s}`, t: `${t}` } : { here: `${here[k - 1]}` };
      expectRightOrOptimizedOut(vals, want);
      shown += Object.keys(want).filter((n) => vals.get(n) === want[n]).length;
    }
    // They live in callee-saved registers, which only call frame information recovers.
    expect(shown).toBeGreaterThanOrEqual(20);
  });

  it('gdb unwinds from inside an epilogue (after pop %rbp, at the ret)', async () => {
    const code = await disassembly(path);
    const syms = (await execa('readelf', ['-s', '-W', path])).stdout;
    const m = /([0-9a-f]{16}) +(\d+) FUNC .* depth$/m.exec(syms)!;
    const lo = BigInt('0x' + m[1]);
    const ret = code.find((i) => i.addr >= lo && i.addr < lo + BigInt(m[2]) && i.text === 'ret')!;
    const out = await gdb(path, [`break *0x${ret.addr.toString(16)}`, 'run', 'bt']);
    const bt = out.split('\n').filter((l) => /^#\d+ /.test(l));
    const names = bt.map((l) => /^#\d+ +(?:0x[0-9a-f]+ in )?(\w+) /.exec(l)?.[1]);
    expect(names[0]).toBe('depth');
    expect(names.slice(-2)).toEqual(['juggle', 'main']);
    expect(names.slice(0, -2).every((n) => n === 'depth')).toBe(true);
  });
});

describe('out/kernel.elf call frames', () => {
  it('readelf decodes .debug_frame cleanly and every FDE matches the machine code', async () => {
    const [fdes, code] = await Promise.all([frameTables(KERNEL), disassembly(KERNEL)]);
    expect(fdes.length).toBeGreaterThan(100);
    let checked = 0;
    for (const fde of fdes) checked += checkFrames(fde, code);
    expect(checked).toBeGreaterThan(10_000);
  });
});
