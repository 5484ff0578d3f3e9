// The language's promise to kernel developers: the same sources their editor checks are the ones
// the compiler builds. Every program in the tree type-checks with TypeScript 7 (tsc) against
// runtime/prelude.d.ts with zero errors; the toolchain itself type-checks too.

import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

const PROJECTS = [
  'tsconfig.json', // the toolchain
  'kernel-src/tsconfig.json',
  'kernel-src/user/tsconfig.json',
  'tests/conformance/tsconfig.json',
  'tests/frontend/lang/tsconfig.json',
];

describe('tsc --noEmit', () => {
  for (const project of PROJECTS) {
    test(project, async () => {
      const r = await execa('node_modules/.bin/tsc', ['--noEmit', '-p', project], { reject: false });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
    });
  }
});
