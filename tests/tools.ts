// External tools the tests use as oracles (GNU binutils, gcc, gdb, valgrind, QEMU, GRUB). A test
// that needs one and does not find it fails, naming the tool and the Debian package to install;
// it never skips, so a machine without the tool cannot look green. `.ci/run` installs them all.

import { spawnSync } from 'node:child_process';
import { beforeEach } from 'vitest';

/** The Debian package that provides each tool (what `.ci/run` installs). */
const PACKAGE: Record<string, string> = {
  as: 'binutils', ld: 'binutils', objdump: 'binutils', readelf: 'binutils', addr2line: 'binutils', nm: 'binutils',
  gcc: 'gcc', gdb: 'gdb', valgrind: 'valgrind',
  'qemu-system-x86_64': 'qemu-system-x86',
  'grub-file': 'grub-common', 'grub-mkrescue': 'grub-common grub-pc-bin', xorriso: 'xorriso', mformat: 'mtools',
};

const found = new Map<string, boolean>();

function onPath(tool: string): boolean {
  if (!found.has(tool)) found.set(tool, spawnSync('sh', ['-c', `command -v '${tool}'`]).status === 0);
  return found.get(tool)!;
}

/** Throws unless every tool is on PATH; the message names the missing ones and their packages. */
export function requireTool(...tools: string[]): void {
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => PACKAGE[t] ?? t))].join(' ');
  throw new Error(`missing external tool${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} ` +
    `(install with: apt-get install -y ${pkgs}; .ci/run does)`);
}

/** Registers a check that fails every test of the calling file when one of the tools is missing. */
export function requireTools(...tools: string[]): void {
  beforeEach(() => requireTool(...tools));
}
