// Linker tests. GNU as makes the input objects (oracle), our elfread reads them, our linker links
// them; readelf, objdump, grub-file, GNU ld and QEMU check the result. The Linux hello world is
// run natively.

import { describe, it, expect, beforeAll } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readObject } from '../linker/elfread.js';
import { parseLayout, readLayout, type Layout } from '../linker/layout.js';
import { link, type LinkResult } from '../linker/link.js';
import { writeExecutable } from '../linker/exec.js';
import { formatMap } from '../linker/map.js';
import { assemble as assembleOurs } from '../compiler/asm/assemble.js';
import { parseAtt } from '../compiler/asm/att.js';
import { UserError, formatDiagnostic } from '../linker/diag.js';
import {
  type ObjectFile, type Relocation, newSection, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_PROGBITS,
  R_X86_64_8, R_X86_64_16, R_X86_64_32, R_X86_64_32S, R_X86_64_64, R_X86_64_PC8, R_X86_64_PC16,
  R_X86_64_PC32, R_X86_64_PC64, R_X86_64_PLT32,
} from '../linker/object.js';
import { requireTools } from './tools.js';

requireTools('as', 'ld', 'gcc', 'objdump', 'readelf', 'grub-file', 'qemu-system-x86_64');

const ROOT = resolve(__dirname, '..');
const FIX = join(ROOT, 'tests/linker');
const KERNEL_TOML = join(ROOT, 'linker/kernel.toml');
const LINUX_TOML = join(ROOT, 'linker/linux.toml');
const tmp = mkdtempSync(join(tmpdir(), 'linker-test-'));

async function assemble(name: string): Promise<{ path: string; obj: ObjectFile }> {
  const path = join(tmp, name.replace(/\.S$/, '.o'));
  await execa('as', ['--64', join(FIX, name), '-o', path]);
  return { path, obj: readObject(readFileSync(path), path) };
}

function writeTmp(name: string, data: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, data, { mode: 0o755 });
  return p;
}

/** Runs fn and returns the UserError it throws. */
function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

function sym(r: LinkResult, name: string): bigint {
  const s = r.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

/** The file bytes at a virtual address, through the section headers of the result. */
function bytesAt(r: LinkResult, file: Uint8Array, vaddr: bigint, n: number): Uint8Array {
  const s = r.sections.find((x) => vaddr >= x.vma && vaddr < x.vma + BigInt(x.size))!;
  const off = s.fileOffset + Number(vaddr - s.vma);
  return file.subarray(off, off + n);
}

const u32 = (b: Uint8Array, i = 0) => new DataView(b.buffer, b.byteOffset).getUint32(i, true);
const u64 = (b: Uint8Array, i = 0) => new DataView(b.buffer, b.byteOffset).getBigUint64(i, true);

describe('elfread', () => {
  it('reads sections, symbols and RELA relocations of a GNU as object like readelf does', async () => {
    const { path, obj } = await assemble('kernel_ok.S');
    const { stdout } = await execa('readelf', ['-r', '-W', path]);
    const lines = stdout.split('\n').filter((l) => /R_X86_64_/.test(l));
    const ours = obj.sections.flatMap((s) => s.relocs);
    expect(ours.length).toBe(lines.length);
    // The 32-bit boot code's `sym - 0xFFFFFFFF80000000` becomes R_X86_64_32 with addend +0x80000000.
    const boot = obj.sections.find((s) => s.name === '.boot')!;
    expect(boot.relocs.map((r) => [r.type, r.addend])).toContainEqual([R_X86_64_32, 0x80000000n]);
    expect(obj.symbols.find((s) => s.name === '_start')).toMatchObject({ binding: 'global', type: 'func', section: obj.sections.indexOf(boot) });
    expect(obj.sections.find((s) => s.name === '.bss')!.size).toBe(4096);
  });

  it('reads a gcc-made object (C interop)', async () => {
    const c = writeTmp('f.c', 'int counter = 5; static int helper(int x) { return x * 3; } int twice(int x) { return helper(x) + counter; }\n');
    const o = join(tmp, 'f.o');
    await execa('gcc', ['-O1', '-c', '-ffreestanding', '-fno-pic', '-fno-asynchronous-unwind-tables', c, '-o', o]);
    const obj = readObject(readFileSync(o), o);
    expect(obj.symbols.find((s) => s.name === 'twice')).toMatchObject({ type: 'func', binding: 'global' });
    expect(obj.symbols.find((s) => s.name === 'counter')).toMatchObject({ type: 'object', size: 4 });
  });

  it('rejects files that are not x86-64 relocatable objects', () => {
    expect(userError(() => readObject(new TextEncoder().encode('hello'), 'x.o')).diagnostics[0]).toMatchObject({ code: 'LNK0011' });
    const exe = readFileSync('/bin/true');
    expect(userError(() => readObject(exe, '/bin/true')).message).toMatch(/not a relocatable/);
  });
});

describe('kernel layout', () => {
  let result: LinkResult;
  let elf: Uint8Array;
  let elfPath: string;
  let objs: { path: string; obj: ObjectFile }[];

  beforeAll(async () => {
    objs = [await assemble('kernel_ok.S'), await assemble('kernel_lib.S')];
    result = link(objs.map((o) => o.obj), readLayout(KERNEL_TOML));
    elf = writeExecutable(result);
    elfPath = writeTmp('kernel.elf', elf);
  });

  it('readelf -a prints no warning', async () => {
    const r = await execa('readelf', ['-a', '-W', elfPath]);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/warning/i);
  });

  it('grub-file accepts the multiboot header', async () => {
    const r = await execa('grub-file', ['--is-x86-multiboot', elfPath], { reject: false });
    expect(r.exitCode).toBe(0);
  });

  it('objdump disassembles every code section', async () => {
    const { stdout, stderr } = await execa('objdump', ['-d', elfPath]);
    expect(stderr).toBe('');
    for (const f of ['_start', 'kernel_main', 'lib_func', 'local_func', 'helper']) expect(stdout).toContain(`<${f}>:`);
    expect(stdout).toMatch(/call\s+ffffffff[0-9a-f]+ <lib_func>/);
  });

  it('symbols in readelf -s are at the addresses the map gives', async () => {
    const map = formatMap(result);
    const mapped = new Map<string, bigint>();
    for (const m of map.matchAll(/^ {2}0x([0-9a-f]{16}) 0x[0-9a-f]{8} \w+\s+\w+\s+\S+\s+(\S+)/gm)) mapped.set(m[2], BigInt('0x' + m[1]));
    const { stdout } = await execa('readelf', ['-s', '-W', elfPath]);
    let n = 0;
    for (const m of stdout.matchAll(/^\s*\d+: ([0-9a-f]{16})\s+\d+\s+(\w+)\s+\w+\s+\w+\s+\S+\s+(\S+)$/gm)) {
      if (m[2] === 'FILE') continue;
      expect(mapped.get(m[3]), m[3]).toBe(BigInt('0x' + m[1]));
      n++;
    }
    expect(n).toBe(mapped.size);
    for (const name of ['_start', 'kernel_main', 'local_func', 'boot_stack_top', '__kernel_phys_end', '__ksymtab_start']) expect(mapped.has(name), name).toBe(true);
  });

  it('prints a negative absolute symbol as readelf does (two\'s complement), from our assembler\'s object', async () => {
    const neg = assembleOurs(parseAtt('\t.globl neg_abs\n\t.set neg_abs, -3\n', 'neg.S'), 'neg.S');
    const r = link([...objs.map((o) => o.obj), neg], readLayout(KERNEL_TOML));
    expect(formatMap(r)).toMatch(/^ {2}0xfffffffffffffffd 0x00000000 global .*neg_abs/m);
    const { stdout } = await execa('readelf', ['-s', '-W', writeTmp('neg.elf', writeExecutable(r))]);
    expect(stdout).toMatch(/fffffffffffffffd\s+0\s+NOTYPE\s+GLOBAL\s+DEFAULT\s+ABS neg_abs/);
  });

  it('has one PT_LOAD per permission: boot RWX (physical), text RX, rodata R, data+bss RW (higher half)', async () => {
    const { stdout } = await execa('readelf', ['-l', '-W', elfPath]);
    const loads = [...stdout.matchAll(/^\s*LOAD\s+0x(\w+) 0x(\w+) 0x(\w+) 0x(\w+) 0x(\w+) (.{3}) 0x1000$/gm)].map((m) => ({
      offset: BigInt('0x' + m[1]), vaddr: BigInt('0x' + m[2]), paddr: BigInt('0x' + m[3]), flags: m[6].trim(),
    }));
    expect(loads.map((l) => l.flags)).toEqual(['RWE', 'R E', 'R', 'RW']);
    expect(loads[0].vaddr).toBe(0x100000n);
    expect(loads[0].paddr).toBe(0x100000n);
    for (const l of loads.slice(1)) expect(l.vaddr - l.paddr).toBe(0xffffffff80000000n);
    for (const l of loads) expect(l.offset % 4096n).toBe(l.vaddr % 4096n);
    expect(stdout).toMatch(/03\s+\.data \.bss/);
  });

  it('writes the multiboot a.out-kludge header from the final layout', () => {
    const off = elf.findIndex((_, i) => i % 4 === 0 && u32(elf, i) === 0x1badb002);
    expect(off).toBeGreaterThanOrEqual(0);
    expect(off).toBeLessThan(8192 - 32);
    const h = elf.subarray(off, off + 32);
    const [magic, flags, sum, headerAddr, loadAddr, loadEnd, bssEnd, entry] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u32(h, i * 4));
    expect(flags & 0x10000).toBe(0x10000);
    expect((magic + flags + sum) >>> 0).toBe(0);
    expect(loadAddr).toBe(0x100000);
    expect(headerAddr).toBe(0x100000); // first thing in .boot
    expect(BigInt(entry)).toBe(sym(result, '_start'));
    expect(BigInt(bssEnd)).toBe(sym(result, '__kernel_phys_end'));
    expect(BigInt(bssEnd)).toBe(sym(result, '__bss_end') - 0xffffffff80000000n);
    const data = result.sections.find((s) => s.name === '.data')!;
    expect(BigInt(loadEnd)).toBe(data.lma + BigInt(data.size));
    // QEMU copies file[off - (header_addr - load_addr) ..] to load_addr: the bytes must be the image.
    const start = off - (headerAddr - loadAddr);
    for (const s of result.sections.filter((x) => x.type === SHT_PROGBITS)) {
      const at = start + Number(s.lma - BigInt(loadAddr));
      expect(elf.subarray(at, at + s.size)).toEqual(s.data);
    }
  });

  it('resolves `sym - 0xFFFFFFFF80000000` in 32-bit code to the physical address', () => {
    // _start: movl $(boot_stack_top - 0xFFFFFFFF80000000), %esp  -> bc imm32
    const code = bytesAt(result, elf, sym(result, '_start'), 5);
    expect(code[0]).toBe(0xbc);
    expect(BigInt(u32(code, 1))).toBe(sym(result, 'boot_stack_top') - 0xffffffff80000000n);
  });

  it('defines the layout symbols', () => {
    expect(sym(result, '__kernel_phys_start')).toBe(0x100000n);
    expect(sym(result, '__kernel_virt_base')).toBe(0xffffffff80000000n);
    for (const s of ['text', 'rodata', 'data', 'bss']) {
      const out = result.sections.find((x) => x.name === '.' + s)!;
      expect(sym(result, `__${s}_start`)).toBe(out.vma);
      expect(sym(result, `__${s}_end`)).toBe(out.vma + BigInt(out.size));
      expect(out.vma % 4096n).toBe(0n);
    }
    expect(sym(result, '__ksymtab_end')).toBe(sym(result, '__rodata_end'));
  });

  it('emits .ksymtab: every function (locals and sized notype labels too), sorted, with names', () => {
    const start = sym(result, '__ksymtab_start');
    const end = sym(result, '__ksymtab_end');
    const tab = bytesAt(result, elf, start, Number(end - start));
    const count = Number(u64(tab));
    const entries = Array.from({ length: count }, (_, i) => {
      const addr = u64(tab, 8 + i * 24);
      const size = Number(u64(tab, 16 + i * 24));
      const nameAt = Number(u64(tab, 24 + i * 24) - start);
      const name = new TextDecoder().decode(tab.subarray(nameAt, tab.indexOf(0, nameAt)));
      return { addr, size, name };
    });
    expect(entries.map((e) => e.name).sort()).toEqual(['_start', 'helper', 'kernel_main', 'lib_func', 'local_func', 'sized_label']);
    for (const e of entries) {
      expect(e.addr).toBe(sym(result, e.name));
      expect(e.size).toBe(result.symbols.find((s) => s.name === e.name)!.size);
    }
    expect(entries.map((e) => e.addr)).toEqual([...entries.map((e) => e.addr)].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('places the same bytes as GNU ld with an equivalent linker script', async () => {
    const script = `ENTRY(_start)
SECTIONS {
  . = 0x100000;
  .boot : { . += 32; *(.boot) *(.boot.*) }
  . = ALIGN(4096) + 0xFFFFFFFF80000000;
  .text : AT(ADDR(.text) - 0xFFFFFFFF80000000) { *(.text) *(.text.*) }
  . = ALIGN(4096);
  .rodata : AT(ADDR(.rodata) - 0xFFFFFFFF80000000) { *(.rodata) *(.rodata.*) }
  . = ALIGN(4096);
  .data : AT(ADDR(.data) - 0xFFFFFFFF80000000) { *(.data) *(.data.*) }
  . = ALIGN(4096);
  .bss : AT(ADDR(.bss) - 0xFFFFFFFF80000000) { *(.bss) *(.bss.*) }
  /DISCARD/ : { *(.note.*) *(.comment) *(.eh_frame) }
}`;
    const ldElf = join(tmp, 'ld.elf');
    await execa('ld', ['-static', '-nostdlib', '-z', 'max-page-size=4096', '-T', writeTmp('k.ld', script), '-o', ldElf, ...objs.map((o) => o.path)]);
    for (const name of ['.boot', '.text', '.rodata', '.data']) {
      const bin = join(tmp, `ld${name}.bin`);
      await execa('objcopy', ['-O', 'binary', '-j', name, ldElf, bin]);
      const theirs = new Uint8Array(readFileSync(bin));
      let ours = result.sections.find((s) => s.name === name)!.data;
      if (name === '.boot') ours = ours.slice(32); // the multiboot header is ours alone
      const skip = name === '.boot' ? 32 : 0;
      if (name === '.rodata') ours = ours.slice(0, theirs.length); // .ksymtab is ours alone
      expect(ours, name).toEqual(theirs.slice(skip));
    }
  });

  it('boots in QEMU through the multiboot header (-kernel)', async () => {
    const r = await execa('qemu-system-x86_64', ['-kernel', elfPath, '-display', 'none', '-no-reboot', '-serial', 'stdio',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'], { reject: false, timeout: 10000 });
    expect(r.stdout).toContain('OK');
    expect(r.exitCode).toBe(33);
  }, 15000);
});

describe('linux layout', () => {
  it('links a static hello world that runs: output and exit code', async () => {
    const { obj } = await assemble('hello.S');
    const result = link([obj], readLayout(LINUX_TOML));
    const exe = writeTmp('hello', writeExecutable(result));
    expect(result.entry).toBe(0x400000n);
    const r = await execa(exe, [], { reject: false });
    expect(r.stdout).toBe('hello from the linker');
    expect(r.exitCode).toBe(7);
    const re = await execa('readelf', ['-a', '-W', exe]);
    expect(re.stderr).toBe('');
    expect(re.stdout).not.toMatch(/warning/i);
    expect(re.stdout).not.toContain('.multiboot');
    expect(elfFlagsOf(re.stdout)).toEqual(['R E', 'R', 'RW']);
  });
});

function elfFlagsOf(readelf: string): string[] {
  return [...readelf.matchAll(/^\s*LOAD\s+\S+ \S+ \S+ \S+ \S+ (.{3}) 0x1000$/gm)].map((m) => m[1].trim());
}

// ---- relocations, on objects built in memory ----

const SMALL: Layout = parseLayout(
  `entry = "_start"\nphys_base = 0x1000\n[[section]]\nname = ".text"\ninputs = [".text"]\n[[section]]\nname = ".data"\ninputs = [".data"]\naddress = 0x10000\n`,
  'small.toml',
);

/** One object: .text with _start (16 bytes of zeros) and .data (64 bytes) with relocations into it. */
function objWith(relocs: Relocation[], extra: { name: string; value: bigint; section: number | 'abs' | 'undef' }[] = []): ObjectFile {
  const text = newSection('.text', SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16);
  text.data = new Uint8Array(16);
  text.size = 16;
  const data = newSection('.data', SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8);
  data.data = new Uint8Array(64);
  data.size = 64;
  data.relocs = relocs;
  return {
    name: 'mem.o',
    sections: [text, data],
    symbols: [
      { name: '_start', section: 0, value: 0n, size: 16, binding: 'global', type: 'func' },
      ...extra.map((e) => ({ ...e, size: 0, binding: 'global' as const, type: 'notype' as const })),
    ],
  };
}

describe('relocations', () => {
  // _start is at 0x1000, .data at 0x10000; symbol 1 is `target`.
  const cases: [string, number, bigint, bigint, number, bigint][] = [
    // name, type, target value (abs), addend, width, expected field
    ['64', R_X86_64_64, 0xffffffff80001234n, 0n, 8, 0xffffffff80001234n],
    ['32', R_X86_64_32, 0xfffffff0n, 0xfn, 4, 0xffffffffn],
    ['32S negative', R_X86_64_32S, 0xffffffff80000000n, 0n, 4, 0x80000000n],
    ['16', R_X86_64_16, 0xfffen, 1n, 2, 0xffffn],
    ['8', R_X86_64_8, 0x7fn, -0x80n - 0x7fn, 1, 0x80n],
    ['PC32', R_X86_64_PC32, 0x1000n, -4n, 4, BigInt.asUintN(32, 0x1000n - 4n - 0x10000n)],
    ['PLT32', R_X86_64_PLT32, 0x20000n, -4n, 4, 0x20000n - 4n - 0x10000n],
    ['PC64', R_X86_64_PC64, 0n, 0n, 8, BigInt.asUintN(64, -0x10000n)],
    ['PC16', R_X86_64_PC16, 0x10000n + 0x7fffn, 0n, 2, 0x7fffn],
    ['PC8', R_X86_64_PC8, 0x10000n - 0x80n, 0n, 1, 0x80n],
    ['32 wraps the -virt_base addend', R_X86_64_32, 0xffffffff80105000n, 0x80000000n, 4, 0x105000n],
  ];
  for (const [name, type, target, addend, width, want] of cases) {
    it(`applies ${name}`, () => {
      const o = objWith([{ offset: 0, type, symbol: 1, addend }], [{ name: 'target', value: target, section: 'abs' }]);
      const r = link([o], SMALL);
      const d = r.sections[1].data;
      let got = 0n;
      for (let i = 0; i < width; i++) got |= BigInt(d[i]) << BigInt(8 * i);
      expect(got).toBe(want);
      expect(d[width] ?? 0).toBe(0);
    });
  }

  const overflows: [string, number, bigint, bigint][] = [
    ['32 to a higher-half address', R_X86_64_32, 0xffffffff80001000n, 0n],
    ['32 negative', R_X86_64_32, 0n, -1n],
    ['32S above 2^31', R_X86_64_32S, 0x80000000n, 0n],
    ['PC32 across the address space', R_X86_64_PC32, 0xffffffff80000000n, 0n],
    ['16', R_X86_64_16, 0x10000n, 0n],
    ['8', R_X86_64_8, 0x100n, 0n],
    ['PC8', R_X86_64_PC8, 0x10008n + 0x80n, 0n],
  ];
  for (const [name, type, target, addend] of overflows) {
    it(`reports overflow: ${name}`, () => {
      const loc = { file: 'kernel-src/main.ts', line: 3, col: 7 };
      const o = objWith([{ offset: 8, type, symbol: 1, addend, loc }], [{ name: 'target', value: target, section: 'abs' }]);
      const e = userError(() => link([o], SMALL));
      expect(e.diagnostics[0]).toMatchObject({ code: 'LNK0003', loc });
      expect(e.diagnostics[0].message).toContain('target');
      expect(e.diagnostics[0].message).toContain('at kernel-src/main.ts:3 (.data+0x8)'); // the reference's source line
      expect(formatDiagnostic(e.diagnostics[0], 'a\nb\nlet x = target;\n')).toMatch(/^kernel-src\/main\.ts:3:7 - error LNK0003: /);
    });
  }

  it('reports a relocation past the end of its section', () => {
    const e = userError(() => link([objWith([{ offset: 60, type: R_X86_64_64, symbol: 0, addend: 0n }])], SMALL));
    expect(e.diagnostics[0].code).toBe('LNK0012');
  });

  it('defines the [symbols] forms of the layout, unless an object defines the name', () => {
    const layout = parseLayout(
      `phys_base = 0x1000\nvirt_base = "0xffff800000000000"\n[symbols]\na = "phys_start"\nb = "phys_end"\nc = "virt_base"\n` +
        `d = "start(.data)"\ne = "end(.data)"\nf = "phys_start(.data)"\ng = "phys_end(.data)"\nh = 0x1234\n_start = 7\n` +
        `[[section]]\nname = ".text"\n[[section]]\nname = ".data"\nvirtual = true\nalign = 4096\n`,
      'forms.toml',
    );
    const r = link([objWith([])], layout);
    const v = (n: string) => r.symbols.find((s) => s.name === n)!.value;
    expect([v('a'), v('b'), v('c')]).toEqual([0x1000n, 0x2040n, 0xffff800000000000n]);
    expect([v('d'), v('e'), v('f'), v('g'), v('h')]).toEqual([0xffff800000002000n, 0xffff800000002040n, 0x2000n, 0x2040n, 0x1234n]);
    expect([v('__text_start'), v('__data_end')]).toEqual([0x1000n, 0xffff800000002040n]);
    expect(v('_start')).toBe(0x1000n); // the object's definition wins
  });

  it('resolves an undefined weak symbol to zero', () => {
    const o = objWith([{ offset: 0, type: R_X86_64_64, symbol: 1, addend: 5n }], [{ name: 'maybe', value: 0n, section: 'undef' }]);
    o.symbols[1].binding = 'weak';
    expect(link([o], SMALL).sections[1].data[0]).toBe(5);
  });

  it('lets a strong definition override a weak one', () => {
    const a = objWith([{ offset: 0, type: R_X86_64_64, symbol: 1, addend: 0n }], [{ name: 'x', value: 1n, section: 'abs' }]);
    a.symbols[1].binding = 'weak';
    const b: ObjectFile = { name: 'b.o', sections: [], symbols: [{ name: 'x', section: 'abs', value: 2n, size: 0, binding: 'global', type: 'notype' }] };
    expect(link([a, b], SMALL).sections[1].data[0]).toBe(2);
  });
});

// ---- link errors ----

describe('link errors', () => {
  it('undefined symbol: names the symbol and where it is referenced', async () => {
    const { obj } = await assemble('undefined.S');
    const e = userError(() => link([obj], readLayout(LINUX_TOML)));
    expect(e.diagnostics).toHaveLength(1); // two references from one object: reported once
    expect(e.diagnostics[0].code).toBe('LNK0001');
    expect(e.diagnostics[0].message).toMatch(/undefined symbol missing_function, referenced from .*undefined\.o\(\.text\+0x[0-9a-f]+\)/);
  });

  it('undefined symbol with a source location from the compiler', () => {
    const loc = { file: 'kernel-src/main.ts', line: 12, col: 5 };
    const o = objWith([{ offset: 0, type: R_X86_64_64, symbol: 1, addend: 0n, loc }], [{ name: 'kmalloc', value: 0n, section: 'undef' }]);
    const e = userError(() => link([o], SMALL));
    expect(e.diagnostics[0]).toMatchObject({ code: 'LNK0001', loc });
  });

  it('duplicate symbol: names both objects', async () => {
    const { obj } = await assemble('kernel_lib.S');
    const { obj: dup } = await assemble('duplicate.S');
    const e = userError(() => link([obj, dup], readLayout(KERNEL_TOML)));
    expect(e.diagnostics[0].code).toBe('LNK0002');
    expect(e.diagnostics[0].message).toMatch(/duplicate symbol lib_func: defined in .*duplicate\.o\(\.text\), first defined in .*kernel_lib\.o\(\.text\)/);
  });

  it('relocation overflow: R_X86_64_32 to a higher-half address, with a hint', async () => {
    const { obj } = await assemble('overflow.S');
    const e = userError(() => link([obj], readLayout(KERNEL_TOML)));
    expect(e.diagnostics[0].code).toBe('LNK0003');
    expect(e.diagnostics[0].message).toMatch(/R_X86_64_32 against high_data \(\.data\+0x0\) at .*overflow\.o\(\.text\+0x1\) overflows.*higher-half/);
  });

  it('overlapping sections', () => {
    const layout = parseLayout(`[[section]]\nname = ".text"\naddress = 0x1000\n[[section]]\nname = ".data"\naddress = 0x1008\n`, 'overlap.toml');
    const e = userError(() => link([objWith([])], layout));
    expect(e.diagnostics[0].code).toBe('LNK0004');
    expect(e.diagnostics[0].message).toMatch(/\.text \(0x1000\.\.0x1010\) and \.data \(0x1008\.\.0x1048\) overlap/);
    expect(e.diagnostics[0].loc).toMatchObject({ file: 'overlap.toml', line: 5 });
  });

  it('a reference into a discarded section', () => {
    const o = objWith([{ offset: 0, type: R_X86_64_64, symbol: 1, addend: 0n }]);
    o.sections.push(newSection('.note.x', SHT_PROGBITS, SHF_ALLOC));
    o.symbols.push({ name: 'gone', section: 2, value: 0n, size: 0, binding: 'local', type: 'notype' });
    const layout = parseLayout('discard = [".note.*"]\n[[section]]\nname = ".text"\n[[section]]\nname = ".data"\n', 'd.toml');
    expect(userError(() => link([o], layout)).diagnostics[0]).toMatchObject({ code: 'LNK0007' });
  });

  it('an unsupported relocation type', () => {
    const o = objWith([{ offset: 0, type: 9 /* R_X86_64_GOTPCREL */, symbol: 0, addend: 0n }]);
    expect(userError(() => link([o], SMALL)).message).toMatch(/LNK0008: unsupported relocation R_X86_64_GOTPCREL/);
  });

  it('an allocated section the layout does not place', () => {
    const o = objWith([]);
    o.sections.push(newSection('.weird', SHT_PROGBITS, SHF_ALLOC));
    expect(userError(() => link([o], SMALL)).diagnostics[0]).toMatchObject({ code: 'LNK0006' });
  });

  it('a missing entry symbol', () => {
    const o = objWith([]);
    o.symbols[0].name = 'main';
    expect(userError(() => link([o], SMALL)).diagnostics[0]).toMatchObject({ code: 'LNK0005' });
  });

  it('a multiboot header past the first 8 KiB, and an entry in the higher half', async () => {
    const { obj } = await assemble('kernel_ok.S');
    const { obj: lib } = await assemble('kernel_lib.S');
    const text = readFileSync(KERNEL_TOML, 'utf8');
    const late = text.replace('inputs = [".multiboot", ".boot", ".boot.*"]', 'inputs = [".boot", ".boot.*"]').replace('inputs = [".data", ".data.*"]', 'inputs = [".data", ".data.*", ".multiboot"]');
    expect(userError(() => link([obj, lib], parseLayout(late, 'late.toml'))).message).toMatch(/LNK0009: .*first 8 KiB/);
    const virt = text.replace('entry = "_start"', 'entry = "kernel_main"');
    expect(userError(() => link([obj, lib], parseLayout(virt, 'virt.toml'))).message).toMatch(/LNK0009: .*kernel_main.*physical/);
  });
});

// ---- layout files ----

describe('layout', () => {
  it('reads the kernel layout', () => {
    const l = readLayout(KERNEL_TOML);
    expect(l).toMatchObject({ entry: '_start', physBase: 0x100000n, virtBase: 0xffffffff80000000n, pageSize: 4096, multiboot: true });
    expect(l.ksymtab).toEqual({ enabled: true, section: '.rodata' });
    expect(l.sections.map((s) => [s.name, s.virtual])).toEqual([['.boot', false], ['.text', true], ['.rodata', true], ['.data', true], ['.bss', true]]);
  });

  it('takes 0xFFFF_FFFF_8000_0000 as a TOML integer too', () => {
    expect(parseLayout('virt_base = 0xFFFF_FFFF_8000_0000\n[[section]]\nname = ".text"\n', 'x.toml').virtBase).toBe(0xffffffff80000000n);
  });

  const bad: [string, string, RegExp, number][] = [
    ['TOML syntax', 'entry = \n', /invalid TOML/, 1],
    ['unknown top-level key', 'entyr = "_start"\n[[section]]\nname = ".text"\n', /entyr: unknown key/, 1],
    ['unknown section key', '[[section]]\nname = ".text"\n[[section]]\nname = ".data"\naligm = 8\n', /section\[1\]\.aligm: unknown key/, 5],
    ['alignment not a power of two', '[[section]]\nname = ".text"\nalign = 12\n', /power of two/, 3],
    ['no sections', 'entry = "_start"\n', /at least one/, 1],
    ['bad address', 'phys_base = "lots"\n[[section]]\nname = ".text"\n', /expected an address/, 1],
    ['bad symbol form', '[symbols]\nfoo = "middle(.text)"\n[[section]]\nname = ".text"\n', /symbol foo/, 2],
    ['ksymtab in a missing section', '[ksymtab]\nenabled = true\nsection = ".nope"\n[[section]]\nname = ".text"\n', /not an output section/, 3],
    ['duplicate section', '[[section]]\nname = ".text"\n[[section]]\nname = ".text"\n', /listed twice/, 4],
  ];
  for (const [what, text, msg, line] of bad) {
    it(`reports ${what} at its line`, () => {
      const e = userError(() => parseLayout(text, 'bad.toml'));
      expect(e.diagnostics[0].code).toBe('LNK0010');
      expect(e.diagnostics[0].message).toMatch(msg);
      expect(e.diagnostics[0].loc).toMatchObject({ file: 'bad.toml', line });
    });
  }
});

// ---- the command line ----

describe('cli', () => {
  const outDir = join(ROOT, 'out/tests/linker-cli');
  const cli = join(outDir, 'linker/cli.js');

  beforeAll(async () => {
    // Compile just the linker (and what it imports) so that the test does not depend on `make`.
    mkdirSync(outDir, { recursive: true });
    await execa('npx', ['tsc', '--ignoreConfig', '--outDir', outDir, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node', join(ROOT, 'linker/cli.ts')], { cwd: ROOT });
    expect(existsSync(cli)).toBe(true);
  }, 60000);

  it('links objects from the command line and writes the map', async () => {
    const a = await assemble('kernel_ok.S');
    const b = await assemble('kernel_lib.S');
    const out = join(tmp, 'cli.elf');
    const map = join(tmp, 'sub/cli.map');
    const r = await execa('node', [cli, '--layout', KERNEL_TOML, '-o', out, '--map', map, a.path, b.path], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(map, 'utf8')).toMatch(/kernel_main\s+\S*kernel_ok\.o/);
    expect((await execa('grub-file', ['--is-x86-multiboot', out], { reject: false })).exitCode).toBe(0);
  });

  for (const [name, fixtures, code] of [
    ['undefined', ['undefined.S'], 'LNK0001'],
    ['duplicate', ['kernel_lib.S', 'duplicate.S'], 'LNK0002'],
    ['overflow', ['overflow.S'], 'LNK0003'],
  ] as const) {
    it(`exits 1 with a diagnostic and no stack trace: ${name}`, async () => {
      const paths = [];
      for (const f of fixtures) paths.push((await assemble(f)).path);
      const r = await execa('node', [cli, '--layout', name === 'undefined' ? LINUX_TOML : KERNEL_TOML, '-o', join(tmp, 'x.elf'), ...paths], { reject: false });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(`error ${code}:`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('exits 1 on a bad layout, pointing at the TOML line', async () => {
    const a = await assemble('hello.S');
    const layout = writeTmp('bad.toml', 'entry = "_start"\n[[section]]\nname = ".text"\nalign = 3\n');
    const r = await execa('node', [cli, '--layout', layout, '-o', join(tmp, 'x.elf'), a.path], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/bad\.toml:4:1 - error LNK0010: section\[0\]\.align: expected a power of two/);
    expect(r.stderr).toContain('align = 3');
  });

  it('exits 1 on bad usage and unreadable inputs', async () => {
    const r = await execa('node', [cli, '-o', 'x'], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('usage:');
    const r2 = await execa('node', [cli, '--layout', KERNEL_TOML, '-o', join(tmp, 'x.elf'), join(tmp, 'nope.o')], { reject: false });
    expect(r2.exitCode).toBe(1);
    expect(r2.stderr).toContain('LNK0014');
  });
});
