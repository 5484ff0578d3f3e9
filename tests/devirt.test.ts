// Devirtualization (compiler/passes/devirt.ts): a call through the vtable of a static object
// (`let dev!: Inline<C>`) becomes a direct call once the object is known, and is inlined; a call
// through an object whose class is not known at compile time keeps its vtable. Each exported
// function below is compiled through the whole optimizer and its indirect calls are counted
// (tests/conformance/classes/static_objects.ts runs such calls natively).

import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileToIR } from '../compiler/driver/compile.ts';
import { compileModule } from '../compiler/driver/backend.ts';
import type { Func } from '../compiler/ir/ir.ts';
import { writeTsconfig } from './differential/native.ts';

const OUT = resolve(import.meta.dirname, '..', 'out', 'devirt');

const PRELUDE = `
interface Dev { put(v: u32): void; get(): u32; }
class Port implements Dev {
  last: u32 = 0;
  put(v: u32): void { this.last = v; }
  get(): u32 { return this.last; }
}
class Wide extends Port { get(): u32 { return this.last * 2; } }
let port!: Inline<Port>;
let wide!: Inline<Wide>;
function dev(): Dev { return wide; }
let table: Dev | null = null;
`;

/** Each case: a function `f`, and the indirect calls left in it. */
const CASES: { name: string; indirect: number; src: string }[] = [
  { name: 'through an accessor of a static object', indirect: 0, src: 'function f(): u32 { dev().put(3); return dev().get(); }' },
  { name: 'a static object passed as its interface', indirect: 0, src: 'function f(): u32 { const d: Dev = port; d.put(1); return d.get(); }' },
  { name: 'an object known only at run time', indirect: 2, src: 'function f(d: Dev): u32 { d.put(1); return d.get(); }' },
  { name: 'a module variable that may change', indirect: 1, src: 'function f(): u32 { const d = table; return d != null ? d.get() : 0; }' },
];

function indirectCalls(name: string, src: string): number {
  const dir = join(OUT, name.replace(/\W+/g, '_'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'p.ts');
  writeFileSync(file, `${PRELUDE}export ${src}\nexport function main(): void {}\n`);
  const m = compileToIR(writeTsconfig({ name, sources: [file] }, dir)).module;
  compileModule(m);
  const f = m.funcs.find((g) => g.name === 'f') as Func;
  let n = 0;
  for (const b of f.blocks) for (const i of b.insts) if (i.op === 'call' && i.callee.kind !== 'sym') n++;
  return n;
}

describe('devirtualization', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.indirect} indirect call(s)`, () => {
      expect(indirectCalls(c.name, c.src)).toBe(c.indirect);
    });
  }
});
