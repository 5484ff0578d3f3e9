// The assembler as a whole: directives, symbols, relaxation and relocations compared with GNU as
// on a full program; the `.o` writer checked with readelf, objdump and ld; the instruction records
// the code generator builds; the listing writer; and every kind of bad input as a diagnostic.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithGnu, gnuAssemble, ourAssemble } from './asm/compare.js';
import { readElf } from './asm/elf.js';
import { assemble } from '../compiler/asm/assemble.js';
import { parseAtt } from '../compiler/asm/att.js';
import { formatListing } from '../compiler/asm/listing.js';
import type { Item } from '../compiler/asm/items.js';
import { UserError, formatDiagnostic, type Diagnostic } from '../linker/diag.js';
import { writeRelocatable } from '../linker/elfobj.js';
import { R_X86_64_PLT32 } from '../linker/object.js';
import { requireTools } from './tools.js';

requireTools('as', 'ld', 'objdump', 'readelf');

const ROOT = join(import.meta.dirname, '..');
const PROGRAM = readFileSync(join(import.meta.dirname, 'asm', 'program.S'), 'utf8');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'asmtest-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('assembler vs GNU as', () => {
  it('assembles a whole program (sections, labels, .set, data, relaxation, .code32) identically', async () => {
    expect(await compareWithGnu(PROGRAM, { symbols: true })).toEqual([]);
  });

  it('evaluates directives and expressions exactly as GNU as (tests/asm/directives.S)', async () => {
    const src = readFileSync(join(import.meta.dirname, 'asm', 'directives.S'), 'utf8');
    expect(await compareWithGnu(src, { symbols: true })).toEqual([]);
  });

  it('relaxes jumps to a fixed point: short when in range, near when not, at the exact boundary', async () => {
    // A jump 127 bytes forward stays short; one byte more makes it near, which pushes another
    // jump over its limit in turn (a chain that needs several rounds).
    const src = [
      '\t.text',
      'a:\tjmp b', '\t.fill 127, 1, 0x90', 'b:\tjmp c', '\t.fill 128, 1, 0x90', 'c:\tjne a',
      '\tje d', '\t.fill 122, 1, 0x90', '\tjmp e', 'd:\tnop', '\t.fill 120, 1, 0x90', 'e:\tjmp a',
      '1:\tjmp 1f', '\t.balign 64', '1:\tjmp 1b', '\tjmp 1b',
    ].join('\n') + '\n';
    expect(await compareWithGnu(src)).toEqual([]);
  });

  it('converts references to local symbols into section symbol + addend, like GNU as', async () => {
    const src = `\t.text\nf:\tcall g\n\tcall h\n\tleaq d(%rip), %rax\n\tmovl $d+4, %eax\n\tjmp h\n\tret\n\t.globl g\ng:\tret\n\t.data\nd:\t.quad f, g, h, d + 8\n\t.section .text.other,"ax",@progbits\nh:\tjmp f\n\tcall f\n`;
    expect(await compareWithGnu(src, { symbols: true })).toEqual([]);
    const obj = assemble(parseAtt(src, 't.S'), 't.S');
    const text = obj.sections.find((s) => s.name === '.text')!;
    const callG = text.relocs.find((r) => obj.symbols[r.symbol].name === 'g');
    expect(callG?.type).toBe(R_X86_64_PLT32);
  });

  it('aligns code with GNU as nop patterns and data with zeros or the fill byte', async () => {
    const lines = ['\t.text'];
    for (let n = 1; n <= 40; n++) lines.push('\tnop', `\t.fill ${n}, 1, 0xcc`, '\t.balign 64');
    // long padding: GNU as jumps over it (short jump up to 129 bytes, near beyond)
    for (const n of [1, 10, 40, 41, 42, 60, 100, 150, 4000]) lines.push(`\t.fill ${n}, 1, 0xcc`, '\t.balign 128');
    lines.push('\t.balign 4096');
    lines.push('\t.balign 16, 0xcc', '\t.byte 1', '\t.balign 8, , 3', '\t.byte 2', '\t.p2align 5', '\t.data', '\t.byte 1', '\t.balign 16', '\t.byte 2', '\t.balign 8, 0xee');
    expect(await compareWithGnu(lines.join('\n') + '\n')).toEqual([]);
  });

  it('records the source position of every instruction in section.lines', () => {
    const obj = assemble(parseAtt('\t.text\n\tnop\n\n\tmovl $1, %eax\n\tret\n', 'l.S'), 'l.S');
    const text = obj.sections.find((s) => s.name === '.text')!;
    expect(text.lines.map((l) => [l.offset, l.loc.line, l.loc.col])).toEqual([[0, 2, 2], [1, 4, 2], [6, 5, 2]]);
  });
});

describe('runtime and kernel assembly stubs', () => {
  for (const sub of ['runtime', 'kernel-src/arch/x86_64']) {
    const dir = join(ROOT, sub);
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.S'));
    for (const f of files) {
      it(`${sub}/${f} assembles exactly as with GNU as`, async () => {
        expect(await compareWithGnu(readFileSync(join(dir, f), 'utf8'), { symbols: true })).toEqual([]);
      });
    }
  }
});

describe('ELF relocatable writer', () => {
  it('is read by readelf without warnings, disassembled by objdump and linked by ld', async () => {
    const { bytes } = ourAssemble(PROGRAM);
    const o = join(tmp, 'prog.o');
    writeFileSync(o, bytes);
    const re = await execa('readelf', ['-a', '-W', o]);
    expect(re.stderr).toBe('');
    expect(re.stdout).not.toMatch(/warning|error/i);
    expect(re.stdout).toMatch(/R_X86_64_PC32 +0+ ext_sym \+ 0/);
    const od = await execa('objdump', ['-dr', o]);
    expect(od.stderr).toBe('');
    expect(od.stdout).toContain('<_start>:');
    expect(od.stdout).toMatch(/R_X86_64_PLT32\tkernel_main-0x4/);
    // ld resolves everything but the two external names, which we give it as absolute symbols.
    const out = join(tmp, 'prog.elf');
    const ld = await execa('ld', ['-m', 'elf_x86_64', '-z', 'noexecstack', '-e', '_start', '-Ttext=0x100000', '--defsym', 'kernel_main=0x100400', '--defsym', 'ext_sym=0x200000', '-o', out, o], { reject: false });
    expect(ld.stderr).toBe('');
    expect(ld.exitCode).toBe(0);
  });

  it('writes the same symbols, sections and flags as GNU as for the program', async () => {
    const gnu = readElf(await gnuAssemble(PROGRAM));
    const ours = readElf(ourAssemble(PROGRAM).bytes);
    const names = (o: typeof gnu) => o.sections.filter((s) => s.type === 1 || s.type === 8).map((s) => `${s.name}:${s.flags}:${s.align}`).sort();
    expect(names(ours)).toEqual(names(gnu));
  });
});

describe('instruction records from the code generator', () => {
  it('assembles Item[] directly, and formatListing text assembles to the same bytes with GNU as', async () => {
    const I = (mnem: string, ...ops: Item extends never ? never : any[]): Item => ({ kind: 'instr', mnem, ops });
    const reg = (r: string) => ({ kind: 'reg', reg: r });
    const imm = (v: bigint, sym?: string) => ({ kind: 'imm', value: { sym, addend: v } });
    const mem = (addend: bigint, base?: string, index?: string, scale?: 1 | 2 | 4 | 8, sym?: string) => ({ kind: 'mem', disp: { sym, addend }, base, index, scale });
    const target = (sym: string) => ({ kind: 'target', value: { sym, addend: 0n } });
    const items: Item[] = [
      { kind: 'section', name: '.text', flags: 'ax', type: 'progbits' },
      { kind: 'global', name: 'f' },
      { kind: 'type', name: 'f', type: 'function' },
      { kind: 'label', name: 'f' },
      I('pushq', reg('rbp')), I('movq', reg('rsp'), reg('rbp')), I('subq', imm(32n), reg('rsp')),
      I('movl', reg('edi'), mem(-4n, 'rbp')), I('movslq', mem(-4n, 'rbp'), reg('rax')),
      I('leaq', mem(0n, 'rip', undefined, undefined, 'str'), reg('rdi')), I('call', target('print')),
      I('movzbl', mem(8n, 'rax', 'rcx', 4), reg('r10d')), I('cmpl', imm(100n), reg('eax')), I('jl', target('.Lloop')),
      { kind: 'label', name: '.Lloop' }, I('imulq', imm(10n), reg('rax'), reg('rdx')), I('jmp', target('.Lloop')),
      I('call', reg('rax')), I('jmp', mem(8n, 'rax')), I('movabsq', imm(-1n), reg('r11')), I('cqto'), I('idivq', reg('rcx')),
      I('sete', reg('al')), I('lock', ), I('xaddq', reg('rax'), mem(0n, 'rdi')), I('leave'), I('ret'),
      { kind: 'instr', mnem: 'call', ops: [{ kind: 'target', value: { sym: 'ext', addend: 4n, reloc: 'plt' } }] },
      I('movq', { kind: 'mem', disp: { sym: 'ext', addend: 0n, reloc: 'gotpcrel' }, base: 'rip' }, reg('rax')),
      { kind: 'instr', mnem: 'orl', ops: [imm(1n), mem(0n, 'rax')], prefixes: ['lock'] },
      { kind: 'comment', text: 'data follows' },
      { kind: 'section', name: '.rodata' },
      { kind: 'label', name: 'str' },
      { kind: 'data', width: 8, values: [{ kind: 'num', value: 5n }] },
      { kind: 'bytes', bytes: new TextEncoder().encode('hello\0') },
      { kind: 'align', align: 8 },
      { kind: 'data', width: 8, values: [{ kind: 'binary', op: '+', left: { kind: 'sym', name: 'f' }, right: { kind: 'num', value: 3n } }] },
      { kind: 'fill', count: { kind: 'num', value: 3n }, size: 2, value: { kind: 'num', value: 0x1234n } },
    ] as Item[];
    const listing = formatListing(items);
    const direct = readElf(writeRelocatable(assemble(items, 'cg')));
    const gnu = readElf(await gnuAssemble(listing));
    for (const name of ['.text', '.rodata']) {
      expect(direct.sections.find((s) => s.name === name)!.data).toEqual(gnu.sections.find((s) => s.name === name)!.data);
      expect(direct.relocs.get(name)).toEqual(gnu.relocs.get(name));
    }
    // and the listing read back by our own reader gives the same object
    expect(await compareWithGnu(listing, { symbols: true })).toEqual([]);
  });
});

describe('bad input', () => {
  const diag = (src: string) => {
    try {
      assemble(parseAtt(src, 'bad.S'), 'bad.S');
    } catch (e) {
      if (e instanceof UserError) return e.diagnostics.map((d) => `${d.loc?.line}:${d.loc?.col} ${d.code} ${d.message}`);
      throw e;
    }
    return [];
  };
  const CASES: [string, string, RegExp][] = [
    ['unknown mnemonic', '\tnop\n\tfrobnicate %eax\n', /^2:2 ASM0001 unknown instruction 'frobnicate'/],
    ['wrong operand kind', '\tmovl %eax, $5\n', /^1:2 ASM0002 operand type mismatch for 'movl'/],
    ['wrong operand size', '\taddl %rax, %rbx\n', /^1:2 ASM0002 operand type mismatch/],
    ['wrong operand count', '\tret %eax, %ebx, %ecx\n', /^1:2 ASM0002 wrong number of operands/],
    ['out-of-range immediate', '\tint $256\n', /^1:2 ASM0003 immediate 256 is out of range for 'int'/],
    ['out-of-range 64-bit immediate', '\taddq $0x80000000, %rax\n', /^1:2 ASM0003 immediate 2147483648 is out of range/],
    ['undefined numeric label backward', '\tjmp 1b\n', /^1:6 ASM0010 undefined local label '1b'/],
    ['undefined numeric label forward', '\tjmp 1f\n\tret\n', /^1:6 ASM0012 undefined local label '1f'/],
    ['bad directive', '\t.frob 3\n', /^1:2 ASM0010 unknown directive '.frob'/],
    ['bad register', '\tmovl %eex, %eax\n', /^1:7 ASM0010 bad register name '%eex'/],
    ['high byte with REX', '\tmovb %ah, %sil\n', /^1:2 ASM0007 can't encode register '%ah'/],
    ['no size, and an immediate too wide for the default', '\tincl %eax\n\tmov $0x100000000, (%rax)\n', /^2:2 ASM0003 immediate 4294967296 does not fit the default 32-bit size of 'mov'/],
    ['64-bit register in 32-bit code', '\t.code32\n\tmovq %rax, %rbx\n', /^2:2 ASM0002/],
    ['duplicate label', 'a: nop\na: nop\n', /^2:1 ASM0021 symbol 'a' is already defined/],
    ['bad scale', '\tmovl (%rax,%rbx,3), %eax\n', /ASM0010 scale factor must be 1, 2, 4 or 8/],
    ['rsp as index', '\tmovl (%rax,%rsp,2), %eax\n', /^1:2 ASM0006 bad index register '%rsp'/],
    ['lock on a store (not lockable)', '\tlock movl %eax, (%rbx)\n', /^1:2 ASM0009 expecting lockable instruction after 'lock'/],
    ['lock without a memory operand', '\tlock addl %eax, %ebx\n', /^1:2 ASM0009 expecting lockable instruction/],
    ['lock nop', '\tlock nop\n', /^1:2 ASM0009 expecting lockable instruction/],
    ['rep on a non-string instruction', '\trep addl $1, (%rax)\n', /^1:2 ASM0009 invalid instruction 'addl' after 'rep'/],
    ['a prefix twice', '\tlock lock addl $1, (%rax)\n', /^1:2 ASM0009 same type of prefix used twice/],
    ['jmpq to a symbol (GNU as refuses the suffix)', '\tjmpq sym\n', /^1:2 ASM0002 operand type mismatch for 'jmpq'/],
    ['@GOTPCREL as a branch target', '\tcall ext@GOTPCREL\n', /^1:2 ASM0011 @GOTPCREL is not a branch target/],
    ['= in an operand', '\tmovl $(1 == 1), %eax\n', /^1:\d+ ASM0010 invalid character '=' in operand 1/],
    ['a literal wider than 64 bits', '\t.quad 0x10000000000000000\n', /^1:\d+ ASM0010 number '0x10000000000000000' does not fit in 64 bits/],
    ['junk after operand', '\tmovl %eax, %ebx %ecx\n', /^1:\d+ ASM0010 junk at end of line/],
    ['non-constant fill', '\t.fill x, 1, 0\n', /ASM0023 fill count must be a constant/],
    ['unterminated string', '\t.ascii "abc\n', /ASM0010 unterminated string/],
  ];
  for (const [name, src, re] of CASES) {
    it(name, () => {
      const d = diag(src);
      expect(d.length).toBeGreaterThan(0);
      expect(d[0]).toMatch(re);
    });
  }

  it('warns, as GNU as does, where it keeps only the low bits of a value', () => {
    const warnings: Diagnostic[] = [];
    const src = '\tmovb $0x1ff, %al\n\t.byte 0x1ff\n\t.quad 1 << 64\n\tinc (%rax)\n';
    const obj = assemble(parseAtt(src, 'w.S', warnings), 'w.S', warnings);
    expect(Array.from(obj.sections.find((s) => s.name === '.text')!.data)).toEqual([0xb0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x00]);
    expect(warnings.map((d) => `${d.loc?.line} ${d.severity} ${d.code} ${d.message}`)).toEqual([
      '1 warning ASM0030 0x1ff shortened to 0xff',
      "4 warning ASM0030 no instruction mnemonic suffix given and no register operands; using default for 'inc'",
      '2 warning ASM0030 value 0x1ff truncated to 0xff',
      '3 warning ASM0030 shift count out of range (64 is not between 0 and 63)',
    ]);
  });

  it('reports every bad line at once, not only the first', () => {
    expect(diag('\tfoo\n\tnop\n\tbar\n\tint $256\n').map((d) => d.split(' ')[0])).toEqual(['1:2', '3:2', '4:2']);
    expect(diag('\t.baz\n\tnop\n\t.qux 1\n\tmovl %eax,, %ebx\n').map((d) => d.split(' ')[0])).toEqual(['1:2', '3:2', '4:12']);
  });

  it('asm-cli prints file:line:col - error ASMnnnn with a code frame and exits 1, no stack trace', async () => {
    const cli = join(tmp, 'asm-cli.mjs');
    await build({ entryPoints: [join(ROOT, 'compiler/driver/asm-cli.ts')], bundle: true, platform: 'node', format: 'esm', outfile: cli, logLevel: 'silent' });
    const bad = join(tmp, 'bad.S');
    writeFileSync(bad, '\t.text\n\tmovl $1, %eax\n\tfrobnicate %eax\n');
    const r = await execa('node', [cli, bad, '-o', join(tmp, 'bad.o')], { reject: false, cwd: tmp });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("bad.S:3:2 - error ASM0001: unknown instruction 'frobnicate'");
    expect(r.stderr).toContain('3 \tfrobnicate %eax'.replace('\t', ' '));
    expect(r.stderr).toMatch(/\n {3}\^/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const good = join(tmp, 'good.S');
    writeFileSync(good, PROGRAM);
    const ok = await execa('node', [cli, good, '-o', join(tmp, 'good.o')], { reject: false });
    expect(ok.exitCode).toBe(0);
    expect(readElf(readFileSync(join(tmp, 'good.o'))).sections.some((s) => s.name === '.multiboot')).toBe(true);
  });

  it('formats a diagnostic tsc-style', () => {
    try {
      parseAtt('\tnop\n\tmovl %eax,, %ebx\n', 'x.S');
    } catch (e) {
      const text = formatDiagnostic((e as UserError).diagnostics[0], '\tnop\n\tmovl %eax,, %ebx\n');
      expect(text).toMatch(/^x\.S:2:\d+ - error ASM0010: /);
      return;
    }
    throw new Error('expected a diagnostic');
  });
});
