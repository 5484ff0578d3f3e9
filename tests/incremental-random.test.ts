// Random edits against the build cache of a long-lived process (watch mode, the build server):
// each round edits kernel sources at random (a function marked or unmarked `@inline`, a number in
// a body changed, a call statement doubled: what moves the inliner's decisions and the call-site
// counts the cache keys hold; a string constant changed, a comment line between declarations, a
// blank line in a body: what renumbers the strings and moves functions and their lines), rebuilds in the same process, and compares every output file with
// a build of the same sources without any cache. A build that fails must fail without the cache
// too. SEED=n replays or explores another sequence; the seed is in every failure message.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriver, toolchainTree } from './toolchain-tree.js';
import { prng } from './differential/gen.ts';

const SEED = Number(process.env.SEED ?? 20261205);
const ROUNDS = 4;
const tree = toolchainTree('incremental-random-', ['kernel-src']);
const root = tree.root;

const rand = prng(SEED);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

function kernelSources(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'user' ? [] : kernelSources(p);
    return n.endsWith('.ts') && !n.endsWith('.d.ts') ? [p] : [];
  });
}

/** Edits of one line; each returns the new text, or undefined when the file has no such line. */
const EDITS: Record<string, (lines: string[]) => string[] | undefined> = {
  inline(lines) {
    const at = lines.flatMap((l, i) => (/^(export )?function \w+\(/.test(l) ? [i] : []));
    if (!at.length) return undefined;
    const i = pick(at);
    const out = [...lines];
    if (lines[i - 1]?.trim() === '/** @inline */') out.splice(i - 1, 1);
    else out.splice(i, 0, '/** @inline */');
    return out;
  },
  number(lines) {
    const at = lines.flatMap((l, i) => (/^\s+\S.*[=(,+\-*<>] \d{1,3}[;),]/.test(l) ? [i] : []));
    if (!at.length) return undefined;
    const i = pick(at);
    const out = [...lines];
    out[i] = lines[i].replace(/([=(,+\-*<>] )(\d{1,3})([;),])/, (_, a, n, b) => `${a}${Number(n) + 1}${b}`);
    return out;
  },
  string(lines) {
    // A new string constant: those after it in the program are numbered again (lowercache.ts replays).
    const at = lines.flatMap((l, i) => (/^\s+\S.*'[^'\\]+'/.test(l) ? [i] : []));
    if (!at.length) return undefined;
    const i = pick(at);
    const out = [...lines];
    out[i] = lines[i].replace(/'([^'\\]+)'/, "'$1!'");
    return out;
  },
  blank(lines) {
    // A line more inside a body: the rest of the file moves (buildcache.ts names locations, Ref).
    const at = lines.flatMap((l, i) => (/^\s+\S/.test(l) ? [i] : []));
    if (!at.length) return undefined;
    const out = [...lines];
    out.splice(pick(at), 0, '');
    return out;
  },
  comment(lines) {
    // Between declarations: moves what follows, changes nothing else.
    const at = lines.flatMap((l, i) => (/^(export )?(function|class|const|let) /.test(l) ? [i] : []));
    if (!at.length) return undefined;
    const out = [...lines];
    out.splice(pick(at), 0, '// a comment');
    return out;
  },
  call(lines) {
    const at = lines.flatMap((l, i) => (/^\s+[a-z_][\w.]*\([^;{}]*\);\s*$/i.test(l) && !/^\s*(return|super)\b/.test(l) ? [i] : []));
    if (!at.length) return undefined;
    const i = pick(at);
    const out = [...lines];
    out.splice(i, 0, lines[i]);
    return out;
  },
};

function outputs(): Record<string, Buffer> {
  const files = ['kernel.elf', 'kernel.s', 'kernel.map', 'initrd.tar', ...readdirSync(join(root, 'out/user')).map((n) => `user/${n}`)];
  return Object.fromEntries(files.sort().map((f) => [f, readFileSync(join(root, 'out', f))]));
}

/** A process that builds the tree's kernel each time it reads a line, warm like watch mode. */
let builder: ChildProcess | undefined;
let answers: AsyncIterator<string> | undefined;
async function warmBuild(): Promise<string> {
  if (!builder) {
    const script = `
      import { createInterface } from 'node:readline';
      const { buildKernel } = await import(${JSON.stringify(join(tree.driver, 'build.js'))});
      for await (const _ of createInterface({ input: process.stdin })) {
        try { buildKernel(true, ${JSON.stringify(root)}, true, 1); console.log('ok'); }
        catch (e) { if (!e.diagnostics) throw e; console.log('error ' + e.diagnostics.length); }
      }`;
    builder = spawn('node', ['--input-type=module', '-e', script], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    answers = createInterface({ input: builder.stdout! })[Symbol.asyncIterator]();
  }
  builder.stdin!.write('build\n');
  const r = await answers!.next();
  if (r.done) throw new Error('the warm build process ended');
  return r.value;
}

afterAll(() => {
  builder?.kill();
  rmSync(root, { recursive: true, force: true });
});

describe(`random edits, rebuilt warm, are what a build without cache makes (SEED=${SEED})`, () => {
  const files = kernelSources(join(root, 'kernel-src'));
  const originals = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  let compared = 0; // rounds whose sources built
  afterAll(() => expect(compared, `SEED=${SEED}: no round built; the edits test nothing`).toBeGreaterThan(1));

  it('first build', async () => {
    expect(await warmBuild()).toBe('ok');
  }, 600_000);

  // Sources changed, IR not: the kernel's objects from the first build are linked a second time,
  // as they are (the cache shares them, so a linker that changed its input would show here).
  it('a comment appended: the kept objects linked again', async () => {
    const file = join(root, 'kernel-src/main.ts');
    writeFileSync(file, `${originals.get(file)}\n// a comment\n`);
    expect(await warmBuild()).toBe('ok');
    const warmOut = outputs();
    const plain = await runDriver(tree, 'build.js', ['kernel', '--no-cache']);
    expect(plain.status, plain.stdout + plain.stderr).toBe(0);
    for (const [f, bytes] of Object.entries(outputs())) expect(Buffer.compare(warmOut[f], bytes), `out/${f} differs`).toBe(0);
    writeFileSync(file, originals.get(file)!);
  }, 600_000);

  for (let round = 1; round <= ROUNDS + 1; round++) {
    it(round <= ROUNDS ? `round ${round}` : 'every edit undone', async () => {
      const done: string[] = [];
      if (round <= ROUNDS) {
        while (done.length < 3) {
          const file = pick(files);
          const kind = pick(Object.keys(EDITS));
          const edited = EDITS[kind](readFileSync(file, 'utf8').split('\n'));
          if (!edited) continue;
          writeFileSync(file, edited.join('\n'));
          done.push(`${kind} in ${relative(root, file)}`);
        }
      } else {
        for (const [f, text] of originals) writeFileSync(f, text);
      }
      const what = `SEED=${SEED}, round ${round}: ${done.join('; ') || 'undo'}`;
      const warm = await warmBuild();
      console.log(`${what}: ${warm}`);
      const warmOut = warm === 'ok' ? outputs() : undefined;
      const plain = await runDriver(tree, 'build.js', ['kernel', '--no-cache']);
      if (warm !== 'ok') {
        expect(plain.status, `${what}: the warm build failed (${warm}), the build without cache did not`).not.toBe(0);
        for (const [f, text] of originals) writeFileSync(f, text); // start the next round from sources that build
        return;
      }
      expect(plain.status, `${what}: ${plain.stdout}${plain.stderr}`).toBe(0);
      const cold = outputs();
      expect(Object.keys(warmOut!)).toEqual(Object.keys(cold));
      for (const f of Object.keys(cold)) expect(Buffer.compare(warmOut![f], cold[f]), `${what}: out/${f} differs`).toBe(0);
      compared++;
    }, 600_000);
  }
});
