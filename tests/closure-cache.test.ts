// The back end's cache by closure key (compiler/driver/buildcache.ts, plan): a function's code is
// reused only when everything the back end reads for it is the same. Each case compiles a module,
// then a changed module with the same cache in the same process (bodies kept, as in watch mode),
// and expects the listing of a compilation without cache. Each change alters one input of the
// inliner's decision for `top` that lies outside `top`'s own IR.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Func, Module } from '../compiler/ir/ir.js';
import { compileModule } from '../compiler/driver/backend.js';
import { BuildCache } from '../compiler/driver/buildcache.js';
import { formatListing } from '../compiler/asm/listing.js';
import { FB, c, module } from './backend/build.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A local function too large for the size rule alone: inlined only while it has one call site. */
function big(name: string, k: number, more: Partial<Func> = {}): FB {
  const g = new FB(name, ['w'], 'w', { exported: false, inline: 'auto', ...more });
  let v = g.p(0);
  for (let i = 0; i < 60; i++) v = g.bin(i % 2 ? 'xor' : 'mul', 'w', v, c(i + k, 'w'));
  g.ret(v);
  return g;
}

function caller(name: string, callee: string, exported = true): FB {
  const f = new FB(name, ['w'], 'w', { exported, inline: 'auto' });
  f.ret(f.call(callee, [f.p(0)], 'w'));
  return f;
}

function small(name: string): FB {
  const s = new FB(name, ['w'], 'w', { exported: false, inline: 'auto' });
  s.ret(s.bin('add', 'w', s.bin('mul', 'w', s.p(0), c(7, 'w')), c(1, 'w')));
  return s;
}

function twoCalls(name: string, a: string, b: string): FB {
  const f = new FB(name, ['w'], 'w', { exported: true, inline: 'auto' });
  f.ret(f.bin('add', 'w', f.call(a, [f.p(0)], 'w')!, f.call(b, [f.p(0)], 'w')!));
  return f;
}

/** Each case: the module before and after (built fresh each time: the back end changes it). */
const CASES: { name: string; before: () => Module; after: () => Module; reused?: number }[] = [
  {
    name: 'a second call site elsewhere stops the inlining of a single-site callee',
    before: () => module([big('g', 3), caller('top', 'g'), caller('other', 'h'), big('h', 5)]),
    after: () => module([big('g', 3), caller('top', 'g'), caller('other', 'g'), big('h', 5)]),
  },
  {
    name: 'the inlined callee changes',
    before: () => module([big('g', 3), caller('top', 'g')]),
    after: () => module([big('g', 4), caller('top', 'g')]),
  },
  {
    name: 'the callee of the inlined callee changes',
    before: () => module([big('g2', 3), caller('g', 'g2', false), caller('top', 'g')]),
    after: () => module([big('g2', 7), caller('g', 'g2', false), caller('top', 'g')]),
  },
  {
    name: 'the callee is exported: no longer inlined for having one call site',
    before: () => module([big('g', 3), caller('top', 'g')]),
    after: () => module([big('g', 3, { exported: true }), caller('top', 'g')]),
  },
  {
    // Only the new function goes through the middle end: the bodies it inlines are the ones the
    // first build kept (Plan.earlier), and s's third call site changes no key.
    name: 'a new caller inlines bodies kept from the earlier build',
    before: () => module([small('s'), caller('g', 's', false), twoCalls('top', 'g', 's')]),
    after: () => module([small('s'), caller('g', 's', false), twoCalls('top', 'g', 's'), caller('top2', 's')]),
    reused: 3,
  },
];

describe('closure-keyed back-end cache', () => {
  for (const k of CASES) {
    it(k.name, () => {
      const dir = mkdtempSync(join(tmpdir(), 'closure-cache-'));
      dirs.push(dir);
      const cache = new BuildCache(dir, 'test');
      let reused = 0;
      const cached = (m: Module) => {
        const timings: Record<string, number> = {};
        const listing = formatListing(compileModule(m, { cache, timings }));
        reused = timings.reused;
        return listing;
      };
      const plain = (m: Module) => formatListing(compileModule(m));
      expect(cached(k.before())).toBe(plain(k.before()));
      const after = plain(k.after());
      expect(after, 'the change makes no difference to the code: the case tests nothing').not.toBe(plain(k.before()));
      expect(cached(k.after())).toBe(after);
      if (k.reused !== undefined) expect(reused).toBe(k.reused);
      expect(cached(k.before())).toBe(plain(k.before())); // and back
    });
  }
});
