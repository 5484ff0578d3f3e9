// The toolchain's end-to-end check: `make` produced a multiboot ELF that GRUB's own validator
// accepts, that binutils read without complaint, and that boots to TypeScript code both when QEMU
// loads it directly and when GRUB loads it from a CD image.

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { boot } from './qemu.js';
import { requireTools } from './tools.js';

requireTools('qemu-system-x86_64', 'grub-file', 'grub-mkrescue', 'xorriso', 'mformat', 'objdump', 'readelf');

const KERNEL = 'out/kernel.elf';
const BANNER = /Scarlett OS/;

describe('out/kernel.elf', () => {
  test('exists (make builds it before the tests run)', () => {
    expect(existsSync(KERNEL)).toBe(true);
    expect(existsSync('out/kernel.map')).toBe(true);
  });

  test('grub-file accepts its multiboot header', async () => {
    const r = await execa('grub-file', ['--is-x86-multiboot', KERNEL], { reject: false });
    expect(r.exitCode).toBe(0);
  });

  test('readelf -a reads it without a warning', async () => {
    const r = await execa('readelf', ['-a', '-W', KERNEL], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/warning/i);
  });

  // Only .text: .boot mixes 32-bit code and strings, which objdump cannot tell apart.
  test('objdump -d disassembles the 64-bit code cleanly', async () => {
    const r = await execa('objdump', ['-d', '-j', '.text', KERNEL]);
    expect(r.stdout).toMatch(/<kernel_main>:/);
    expect(r.stdout).not.toMatch(/\(bad\)/);
  });

  test('boots with qemu -kernel and prints the banner from TypeScript', async () => {
    const r = await boot({ kernel: KERNEL, until: BANNER, timeoutMs: 60_000 });
    expect(r.serial).toMatch(BANNER);
  });

  test('boots from the GRUB ISO, takes the ramdisk module and runs /bin/demo from it', async () => {
    await execa('node', ['out/toolchain/compiler/driver/build.js', 'iso']);
    const r = await boot({ cdrom: 'out/scarlett.iso', until: /Process exited: pid=1, name=demo/, timeoutMs: 120_000 });
    expect(r.serial).toMatch(BANNER);
    expect(r.serial).toMatch(/^\[INFO\] initrd: multiboot module 0, \d+ files$/m);
    expect(r.serial).toMatch(/Process exited: pid=1, name=demo, status=0/);
  }, 150_000);
});
