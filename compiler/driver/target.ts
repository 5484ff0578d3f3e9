// Targets: what differs between the kinds of program the toolchain builds, as one record each (the
// way QBE's `T` describes a target). The compiler's stages are the same for all of them; the target
// picks the runtime stubs linked in, the linker layout, and the code model the layout must honour.
//
// Every target shares the prelude's intrinsics: privileged ones (port I/O, control registers, MSRs)
// compile for user programs too, since ring-3 tests must be able to try them (the CPU refuses them).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cls } from '../ir/ir.js';

/**
 * Where code and data may lie. The back end addresses a symbol as an absolute, sign-extended 32-bit
 * displacement (`table(,%rax,4)`, `movq $sym`), which both models allow: 'kernel' puts everything in
 * the top 2 GiB of the address space, 'small' in the low 2 GiB (see checkCodeModel in build.ts).
 */
export type CodeModel = 'kernel' | 'small';

export interface Target {
  name: string; // as given to --target
  description: string;
  layout: string; // the linker layout (TOML), relative to the repository root
  startFiles: string[]; // assembly linked into every program: .S files, or folders whose .S files all are
  codeModel: CodeModel;
  entry?: Entry; // the function the start files call, checked at the program (checkEntry in build.ts)
}

/**
 * The program's entry point as the target's start file calls it: the exported function `name`
 * with exactly these parameter classes, and the result class the start file uses (none: ignored).
 */
export interface Entry {
  name: string;
  params: Cls[];
  ret?: Cls;
  signature: string; // how to write it, for the diagnostic
}

export const TARGETS: Record<string, Target> = {
  'x86_64-kernel': {
    name: 'x86_64-kernel',
    description: 'Scarlett OS itself: a multiboot image at -2 GiB',
    layout: 'linker/kernel.toml',
    startFiles: ['kernel-src/arch/x86_64'], // every .S file there, in name order
    codeModel: 'kernel',
  },
  'x86_64-scarlett': {
    name: 'x86_64-scarlett',
    description: 'a Scarlett OS user program (kernel-src/user/<name>): static, at 0x400000',
    layout: 'linker/linux.toml',
    startFiles: ['runtime/user_start.S'],
    codeModel: 'small',
    entry: { name: 'main', params: ['l'], ret: 'w', signature: 'export function main(port: u64): i32' },
  },
  'x86_64-linux': {
    name: 'x86_64-linux',
    description: 'a static Linux program with no libc, at 0x400000 (conformance and benchmark programs)',
    layout: 'linker/linux.toml',
    startFiles: ['runtime/linux/start.S'],
    codeModel: 'small',
    entry: { name: 'main', params: [], signature: 'export function main(): void' },
  },
};

export const KERNEL = TARGETS['x86_64-kernel'];
export const SCARLETT_USER = TARGETS['x86_64-scarlett'];
export const LINUX = TARGETS['x86_64-linux'];

/** The absolute paths of a target's start files, folders expanded to their .S files in name order. */
export function startFilePaths(t: Target, root: string): string[] {
  return t.startFiles.flatMap((f) => {
    const p = join(root, f);
    if (f.endsWith('.S')) return [p];
    return readdirSync(p).filter((n) => n.endsWith('.S')).sort().map((n) => join(p, n));
  });
}
