// The ramdisk archive `make` writes (out/initrd.tar, compiler/driver/initrd.ts), read by GNU tar as
// the oracle: every user program under bin/, kernel-src/initrd/'s files byte for byte, and the
// same bytes linked into the kernel image as the built-in copy (__initrd_start.._end).

import { execa } from 'execa';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const TAR = 'out/initrd.tar';

describe('out/initrd.tar', () => {
  test('GNU tar lists every user program in bin/ and the files of kernel-src/initrd', async () => {
    const r = await execa('tar', ['-tvf', TAR]);
    const names = r.stdout.split('\n').map((l) => l.split(/\s+/).pop());
    const programs = readdirSync('kernel-src/user').filter((n) => n !== 'lib' && statSync(join('kernel-src/user', n)).isDirectory());
    for (const p of programs) expect(names).toContain(`bin/${p}`);
    expect(names).toContain('etc/motd');
    expect(names).toContain('tmp/');
  });

  test('file contents survive: tar -xO gives the source bytes and the built ELF', async () => {
    const motd = await execa('tar', ['-xOf', TAR, 'etc/motd'], { encoding: 'buffer', stripFinalNewline: false });
    expect(Buffer.compare(Buffer.from(motd.stdout), readFileSync('kernel-src/initrd/etc/motd'))).toBe(0);
    const demo = await execa('tar', ['-xOf', TAR, 'bin/demo'], { encoding: 'buffer', stripFinalNewline: false });
    expect(Buffer.compare(Buffer.from(demo.stdout), readFileSync('out/user/demo.elf'))).toBe(0);
  });

  test('the kernel image holds the same archive between __initrd_start and __initrd_end', async () => {
    const syms = (await execa('readelf', ['-s', '-W', 'out/kernel.elf'])).stdout;
    const addr = (name: string) => BigInt('0x' + new RegExp(`([0-9a-f]{16})\\s+\\d+\\s+\\w+\\s+\\w+\\s+\\w+\\s+\\S+\\s+${name}$`, 'm').exec(syms)![1]);
    const start = addr('__initrd_start');
    const end = addr('__initrd_end');
    const tar = readFileSync(TAR);
    expect(end - start).toBe(BigInt(tar.length));
    const sections = (await execa('readelf', ['-S', '-W', 'out/kernel.elf'])).stdout;
    const ro = /\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(sections)!;
    const elf = readFileSync('out/kernel.elf');
    const off = Number(BigInt('0x' + ro[2]) + (start - BigInt('0x' + ro[1])));
    expect(Buffer.compare(elf.subarray(off, off + tar.length), tar)).toBe(0);
  });
});
