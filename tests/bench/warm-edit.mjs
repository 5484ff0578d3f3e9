// A one-line edit rebuilt in a warm process, as `make watch` and the build server do it: the
// compiled toolchain is imported once, the kernel built, then primed as watch mode does (every
// program compiled again from the function caches: build.ts, primeKernel), then
// kernel-src/lib/log.ts is edited (a body change of capture_end, inlined into other modules, on
// its line; a comment change; a line added to capture_end, which moves the rest of the file) and
// undone, each followed by a timed buildKernel and a turn of the event loop
// (as between the builds of watch mode; the cache files are written after 2 s without a build, or
// at exit: buildcache.ts, writeLater). Prints each
// build's phase lines summed (the user programs' per phase) and the median per edit.
//
//   make && node tests/bench/warm-edit.mjs [rounds] [--profile out/warm-edit.cpuprofile]
//
// With --profile, the edit builds after the first round run under the inspector's CPU profiler and
// the profile's self time is summed by the toolchain folder it falls in (front end, passes, x86,
// asm, linker, ...).

import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from 'node:inspector/promises';
import { spawnSync } from 'node:child_process';

const ROOT = resolve(import.meta.dirname, '../..');

// With the node flags `make watch` runs with (the Makefile's SERVE): this script again under them.
const SERVE_FLAGS = ['--max-semi-space-size=64'];
if (!SERVE_FLAGS.every((f) => process.execArgv.includes(f))) {
  const r = spawnSync(process.execPath, [...SERVE_FLAGS, ...process.execArgv, import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const args = process.argv.slice(2);
const profileAt = args.indexOf('--profile');
const profileFile = profileAt >= 0 ? args.splice(profileAt, 2)[1] : undefined;
const ROUNDS = Number(args[0] ?? 3);

const { buildKernel } = await import(join(ROOT, 'out/toolchain/compiler/driver/build.js'));
const log = join(ROOT, 'kernel-src/lib/log.ts');
const original = readFileSync(log, 'utf8');
const body = original.replace(/(export function capture_end\(\): usize \{\n\s*capture_buf = 0;)/, '$1 capture_cap = 0;');
const comment = original.replace('// Capture sink:', '// The capture sink:');
// A line added: what follows it in the file moves (see docs/benchmarks.md, fifth round).
const line = original.replace(/(export function capture_end\(\): usize \{)/, '$1\n  capture_cap = 0;');
if (body === original || comment === original || line === original) throw new Error('kernel-src/lib/log.ts: no capture_end or capture comment to edit');

const PHASE = /^ {2}(\S+)\s+(.*?)\s+(\d+) ms$/;

/** One kernel build (one thread); its wall time and phase lines, the user programs' summed. */
async function build(prime = false) {
  const lines = [];
  const print = console.log;
  console.log = (s) => lines.push(String(s));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  try {
    buildKernel(false, ROOT, true, 1, prime);
  } finally {
    console.log = print;
  }
  const ms = performance.now() - t0;
  const { user, system } = process.cpuUsage(c0);
  const cpu = (user + system) / 1000; // this process's threads (GC's included): steal time on a shared machine left out
  await new Promise((done) => setImmediate(done)); // what watch mode does between builds
  const phases = new Map();
  for (const line of lines) {
    const m = PHASE.exec(line);
    if (!m) continue;
    const kernel = /^kernel(-src|\.elf)/.test(m[2]) || m[1] === 'load' || m[1] === 'initrd';
    const key = `${m[1]} ${kernel ? m[2] : '(user programs, summed)'}`;
    phases.set(key, (phases.get(key) ?? 0) + Number(m[3]));
  }
  return { ms, cpu, phases, lines };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const session = profileFile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
}

try {
  console.log(`first build: ${Math.round((await build()).ms)} ms`);
  console.log(`primed as make watch does next (primeKernel): ${Math.round((await build(true)).ms)} ms`);
  const times = { body: [], comment: [], line: [] };
  const cpus = { body: [], comment: [], line: [] };
  const phaseSums = new Map();
  for (let r = 0; r < ROUNDS; r++) {
    // The first edit reads the cache files and compiles the back end's code: profiled from the second on.
    if (session && r === Math.min(1, ROUNDS - 1)) await session.post('Profiler.start');
    for (const [kind, text] of [['body', body], ['comment', comment], ['line', line]]) {
      for (const t of [text, original]) { // the edit, then its undo (an edit too)
        writeFileSync(log, t);
        const b = await build();
        times[kind].push(b.ms);
        cpus[kind].push(b.cpu);
        for (const [k, v] of b.phases) phaseSums.set(k, [...(phaseSums.get(k) ?? []), v]);
        console.log(`${kind} ${t === original ? 'undo' : 'edit'}: ${Math.round(b.ms)} ms, cpu ${Math.round(b.cpu)} ms (load ${loadavg()[0].toFixed(1)})`);
        if (process.env.VERBOSE) for (const l of b.lines) if (!/user programs|\.elf/.test(l) || /kernel/.test(l)) console.log(l);
      }
    }
  }
  console.log('\nphase medians over the edit builds (ms):');
  for (const [k, v] of phaseSums) console.log(`  ${String(median(v)).padStart(6)}  ${k}`);
  for (const [kind, v] of Object.entries(times)) console.log(`median ${kind} edit: ${Math.round(median(v))} ms of ${v.map(Math.round).join(', ')}; cpu ${Math.round(median(cpus[kind]))} ms`);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    summarize(profile);
  }
} finally {
  writeFileSync(log, original);
}

/** Self time of the profile by the folder of its source (out/toolchain/<folder>/, node_modules/<pkg>). */
function summarize(profile) {
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const byFolder = new Map();
  const byFunc = new Map();
  for (const n of profile.nodes) {
    const ms = dt.get(n.id) ?? 0;
    const url = n.callFrame.url;
    const m = /out\/toolchain\/(.*)\/[^/]+\.js$/.exec(url) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const folder = m ? m[1] : url ? 'node internals' : `(${n.callFrame.functionName || 'program'})`;
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + ms);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${url.replace(/.*\/(out\/toolchain|node_modules)\//, '')}:${n.callFrame.lineNumber + 1}`;
    byFunc.set(f, (byFunc.get(f) ?? 0) + ms);
  }
  const total = [...byFolder.values()].reduce((a, b) => a + b, 0);
  console.log(`\nprofile self time by folder (ms over all edit builds, total ${Math.round(total)}):`);
  for (const [k, v] of [...byFolder].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(Math.round(v)).padStart(6)}  ${k}`);
  console.log('top functions (self ms):');
  for (const [k, v] of [...byFunc].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${String(Math.round(v)).padStart(6)}  ${k}`);
}
