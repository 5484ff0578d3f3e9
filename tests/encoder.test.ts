// The encoder differential: well over 600 instruction lines, each assembled by GNU as (the oracle)
// and by our assembler; section bytes and relocations must be identical. Lines are assembled in
// chunks so that one `as` run covers many of them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithGnu } from './asm/compare.js';
import { lines32, lines64 } from './asm/lines.js';
import { requireTools } from './tools.js';

requireTools('as');

const DIR = join(import.meta.dirname, 'asm');
const fixture = (name: string) =>
  readFileSync(join(DIR, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#') && !l.trim().startsWith('.code'))
    .map((l) => l.trim());

const SETS: [string, string[], boolean][] = [
  ['64-bit forms', lines64(), false],
  ['64-bit edge cases', fixture('edge64.S'), false],
  ['issue 9 categories', fixture('issue9.S'), false],
  ['32-bit forms', lines32(), true],
  ['32-bit edge cases', fixture('edge32.S'), true],
];
const CHUNK = 600;

describe('encoder vs GNU as', () => {
  it('covers at least 600 instruction lines', () => {
    const total = SETS.reduce((n, [, lines]) => n + lines.length, 0);
    expect(total).toBeGreaterThanOrEqual(600);
  });

  for (const [name, lines, code32] of SETS) {
    for (let i = 0; i < lines.length; i += CHUNK) {
      const chunk = lines.slice(i, i + CHUNK);
      it(`${name}, lines ${i + 1}-${i + chunk.length}`, async () => {
        const src = `\t.text\n${code32 ? '\t.code32\n' : ''}${chunk.map((l) => `\t${l}\n`).join('')}`;
        expect(await compareWithGnu(src)).toEqual([]);
      });
    }
  }
});
