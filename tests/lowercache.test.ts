// The lowering cache (compiler/frontend/lowercache.ts): a program edited step by step and lowered
// after each step with the cache of the steps before gives exactly the module a lowering without
// cache gives (the same hash of what the back end reads: each function's IR, shared the same way
// within it, the globals, which debug types functions share: hashModule), while reusing the functions the
// step did not touch. Each step moves one thing a kept function depends on besides its own text:
// the numbering of string constants or vtable slots, which function creates a generic instance,
// a declaration in another file, its position.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadProgram } from '../compiler/frontend/program.js';
import { LoweringCache } from '../compiler/frontend/lowercache.js';
import { defaultLowerOptions, lowerLoaded } from '../compiler/driver/compile.js';
import { hashModule } from '../compiler/driver/buildcache.js';
import { printModule } from '../compiler/ir/print.js';

const B = `export const K: u32 = 3;
export interface Shape {
  area(): u32;
  perimeter(): u32;
}
export function twice<T>(x: T): T {
  return x;
}
`;

const F0 = `export function f0(x: u32): u32 {
  puts('zero');
  return x * 2;
}
`;

function a(f1: string, counterComment = ''): string {
  return `import { K, type Shape, twice } from './b';
declare function puts(s: string): void;

${F0}
export function f1(s: Shape): u32 {
${f1}
}

export function f2(s: Shape): u32 {
  puts('two');
  const n: u32 = twice<u32>(s.perimeter());
  return n + K;
}

export class Counter {
  n: u32 = 7;
  bump(): u32 {
    puts('one'); ${counterComment}
    this.n = this.n + 1;
    return this.n;
  }
}
`;
}

/** Each step: the files it writes, and how many functions the cache gives. f2 makes the instance
 *  twice<u32> unless f1 made it first: then it is lowered each time, never kept. */
const STEPS: { what: string; a: string; b?: string; reused: number }[] = [
  { what: 'first lowering', a: a("  puts('one');\n  return s.area() + K;"), b: B, reused: 0 },
  { what: 'nothing changed', a: a("  puts('one');\n  return s.area() + K;"), reused: 4 },
  { what: 'a new string before the others', a: a("  puts('new');\n  puts('one');\n  return s.area() + K;"), reused: 1 },
  { what: 'a selector met first elsewhere', a: a("  puts('one');\n  return s.perimeter() + s.area() + K;"), reused: 1 },
  { what: 'the instance made by an earlier function', a: a("  puts('one');\n  return twice<u32>(s.area()) + K;"), reused: 3 },
  { what: 'then by the kept function again', a: a("  puts('one');\n  return s.area() + K;"), reused: 3 },
  { what: 'a constant in the other file', a: a("  puts('one');\n  return s.area() + K;"), b: B.replace('= 3', '= 4'), reused: 0 },
  { what: 'a line more above the others', a: a("\n  puts('one');\n  return s.area() + K;"), reused: 1 },
  { what: 'a comment in a method (its constructor is keyed by the class)', a: a("\n  puts('one');\n  return s.area() + K;", '// seven'), reused: 2 },
  { what: 'a comment between declarations in the other file', a: a("\n  puts('one');\n  return s.area() + K;", '// seven'), b: `// Shapes.\n${B.replace('= 3', '= 4')}`, reused: 4 },
];

describe('lowering cache', () => {
  it('gives what lowering without it gives, step after step, reusing what a step did not touch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowercache-'));
    const options = { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['*.ts', resolve('runtime/prelude.d.ts')] }));
    const cache = new LoweringCache();
    for (const step of STEPS) {
      writeFileSync(join(dir, 'a.ts'), step.a);
      if (step.b) writeFileSync(join(dir, 'b.ts'), step.b);
      const fresh = lowerLoaded(loadProgram(dir));
      const cached = lowerLoaded(loadProgram(dir), [], defaultLowerOptions(), cache);
      expect(printModule(cached), step.what).toBe(printModule(fresh));
      expect(hashModule(cached).whole, step.what).toBe(hashModule(fresh).whole);
      expect(cache.reused, step.what).toBe(step.reused);
    }
  });
});
