// The toolchain's dependency rule, checked on the import statements themselves: compiler/ is
// folders by stage, each may import only from the stages it consumes or produces for, and linker/
// (the object model, diagnostics and the linker) imports nothing from compiler/. So the folder
// graph is acyclic, and no import runs backwards. See docs/architecture.md.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

/** What each folder may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  'linker': [],
  'compiler/asm': ['linker'],
  'compiler/ir': ['linker'],
  'compiler/passes': ['compiler/ir', 'linker'],
  'compiler/frontend': ['compiler/ir', 'linker'],
  'compiler/x86': ['compiler/ir', 'compiler/asm', 'linker'],
  'compiler/driver': ['compiler/frontend', 'compiler/ir', 'compiler/passes', 'compiler/x86', 'compiler/asm', 'linker'],
};

/** Folders whose files may import each other in a cycle: lowering of statements and expressions is
 *  mutually recursive by the language's nature (an expression holds a function body, a statement
 *  holds expressions), as chibicc's parser is one file. Nowhere else. */
const CYCLES_ALLOWED_IN = new Set(['compiler/frontend']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return n.endsWith('.ts') && !n.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, re-exports and dynamic), resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s).replace(/\.(js|ts)$/, '') + '.ts');
}

const folderOf = (file: string): string => {
  const rel = relative(ROOT, file).split('/');
  return rel[0] === 'compiler' ? `compiler/${rel[1]}` : rel[0];
};

const files = [...sources(join(ROOT, 'compiler')), ...sources(join(ROOT, 'linker'))];
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Strongly connected components with more than one file (Tarjan, iterative over a small graph). */
function cycles(): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>();
  const stack: string[] = [], out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next), low.set(v, next++), stack.push(v), on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    for (let w = ''; w !== v; ) (w = stack.pop()!), on.delete(w), scc.push(w);
    if (scc.length > 1) out.push(scc.map((f) => relative(ROOT, f)).sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return out;
}

describe('import graph of compiler/ and linker/', () => {
  it('every file is in a folder with a rule', () => {
    expect(files.length).toBeGreaterThan(40);
    expect([...new Set(files.map(folderOf))].filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it('every import resolves to a file of the tree', () => {
    const missing = files.flatMap((f) => graph.get(f)!.filter((t) => !graph.has(t)).map((t) => `${relative(ROOT, f)} -> ${relative(ROOT, t)}`));
    expect(missing).toEqual([]);
  });

  it('no import runs backwards between folders', () => {
    const bad = files.flatMap((f) =>
      graph.get(f)!
        .filter((t) => folderOf(t) !== folderOf(f) && !ALLOWED[folderOf(f)].includes(folderOf(t)))
        .map((t) => `${relative(ROOT, f)} -> ${relative(ROOT, t)}`),
    );
    expect(bad).toEqual([]);
  });

  it('the folder rules themselves form no cycle', () => {
    const seen = new Set<string>(), done = new Set<string>();
    const cyclic = (f: string): boolean => {
      if (done.has(f)) return false;
      if (seen.has(f)) return true;
      seen.add(f);
      const c = ALLOWED[f].some(cyclic);
      done.add(f);
      return c;
    };
    expect(Object.keys(ALLOWED).filter(cyclic)).toEqual([]);
  });

  it('files import each other in a cycle only inside the front end', () => {
    const outside = cycles().filter((scc) => !scc.every((f) => CYCLES_ALLOWED_IN.has(folderOf(join(ROOT, f)))));
    expect(outside).toEqual([]);
  });
});
