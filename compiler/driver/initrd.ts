// The initial ramdisk: a POSIX ustar archive of a folder tree, built by `make` (out/initrd.tar).
// The kernel reads it at boot (kernel-src/fs/tar.ts) from the first multiboot module, or, when the
// bootloader gave none, from the copy the build links into the kernel image (section
// .rodata.initrd between __initrd_start and __initrd_end), so `qemu -kernel out/kernel.elf` alone
// still boots with its programs.
//
// Contents: every file under kernel-src/initrd/ (same paths), and each user program's ELF as
// bin/<name>. Entries are sorted, directories come before what they hold, times are 0 (the
// archive is reproducible). GNU tar reads it (tests/initrd.test.ts checks with `tar -tvf`).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ObjectFile, newSection, SHF_ALLOC, SHT_PROGBITS } from '../../linker/object.js';
import { fail } from '../../linker/diag.js';

const BLOCK = 512;

export interface InitrdEntry {
  path: string; // relative, '/'-separated, no leading '/'; directories without a trailing '/'
  data?: Uint8Array; // absent for a directory
}

/** Files under dir as entries (recursively), with their directories, paths prefixed by `under`. */
export function folderEntries(dir: string, under = ''): InitrdEntry[] {
  const out: InitrdEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const path = under ? `${under}/${name}` : name;
    if (statSync(full).isDirectory()) {
      out.push({ path });
      out.push(...folderEntries(full, path));
    } else {
      out.push({ path, data: readFileSync(full) });
    }
  }
  return out;
}

function putString(h: Uint8Array, off: number, len: number, s: string): void {
  const b = Buffer.from(s, 'utf8');
  if (b.length > len) fail('BLD0003', `initrd: '${s}' is longer than ${len} bytes (a ustar name field)`);
  h.set(b, off);
}

function putOctal(h: Uint8Array, off: number, len: number, v: number): void {
  putString(h, off, len, v.toString(8).padStart(len - 1, '0')); // NUL-terminated
}

function header(e: InitrdEntry): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const dir = e.data === undefined;
  const name = dir ? `${e.path}/` : e.path;
  putString(h, 0, 100, name);
  putOctal(h, 100, 8, dir ? 0o755 : 0o644);
  putOctal(h, 108, 8, 0); // uid
  putOctal(h, 116, 8, 0); // gid
  putOctal(h, 124, 12, dir ? 0 : e.data!.length);
  putOctal(h, 136, 12, 0); // mtime
  h.fill(0x20, 148, 156); // checksum field counts as spaces
  h[156] = dir ? 0x35 : 0x30; // '5' directory, '0' file
  putString(h, 257, 6, 'ustar');
  putString(h, 263, 2, '00');
  putString(h, 265, 32, 'root');
  putString(h, 297, 32, 'root');
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 7, sum.toString(8).padStart(6, '0'));
  h[155] = 0x20;
  return h;
}

/** The ustar archive of the entries (each directory before its contents). */
export function tarArchive(entries: InitrdEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.data && e.data.length) {
      const padded = new Uint8Array(Math.ceil(e.data.length / BLOCK) * BLOCK);
      padded.set(e.data);
      parts.push(padded);
    }
  }
  parts.push(new Uint8Array(2 * BLOCK)); // end of archive
  return Buffer.concat(parts);
}

/** The archive as read-only data linked into the kernel: __initrd_start/__initrd_end. */
export function initrdObject(tar: Uint8Array): ObjectFile {
  const sec = newSection('.rodata.initrd', SHT_PROGBITS, SHF_ALLOC, 4096);
  sec.data = tar;
  sec.size = tar.length;
  const sym = (name: string, value: number) =>
    ({ name, section: 0, value: BigInt(value), size: 0, binding: 'global', type: 'object' }) as const;
  return { name: 'initrd', sections: [sec], symbols: [sym('__initrd_start', 0), sym('__initrd_end', tar.length)] };
}
