// The benchmarks behind `make bench`: prints Markdown tables (and writes them to out/bench/results.md).
//
//   node tests/bench/run.mjs [codegen] [bounds] [build] [kernel]      (all when none is named)
//
// codegen: every tests/bench/codegen/<name>.ts is built with our toolchain (Linux target) and its
//   twin <name>.c with gcc -O2 twice: with the flags a kernel is built with (no SSE, no red zone)
//   and plain. All three must print the same checksum line. Then each runs under
//   `valgrind --tool=callgrind` for its total instruction count (Ir: deterministic, whatever the
//   load on this shared machine), and natively 5 times, interleaved, for median wall times.
// build: `tsc --noEmit -p kernel-src` (TypeScript 7's type check alone) against our full kernel
//   build `node out/toolchain/compiler/driver/build.js kernel`, 5 runs each, interleaved, medians; the
//   build's per-phase lines (medians); and the front end's own phases (load, check, lower).
//
// bounds: the cost of InlineArray/table bounds checks: each codegen program built with and without
//   them (SCARLETT_BOUNDS_CHECKS=off), callgrind Ir and .text size.
// kernel: the kernel's hot paths in instructions, from the benchmark boot under QEMU -icount
//   (tests/bench/kernel.mjs).
//
// Plain JavaScript on purpose: it runs the compiled toolchain in out/toolchain (make builds it
// first), like `make` does, and gcc/valgrind are oracles that only tests and benchmarks call.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'tests', 'bench', 'codegen');
const OUT = join(ROOT, 'out', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 5); // fewer when the machine is too loaded to wait

/** gcc builds of each C twin: the ratio is taken against the first (a kernel's code generation conditions). */
export const GCC_BUILDS = [
  { key: 'gcc', label: 'gcc -O2 kernel flags', flags: ['-mgeneral-regs-only', '-mno-red-zone'] },
  { key: 'gcc-sse', label: 'gcc -O2 plain', flags: [] },
  // separates what inlining buys gcc from the quality of the code inside each function
  { key: 'gcc-noinline', label: 'gcc -O2 kernel flags -fno-inline', flags: ['-mgeneral-regs-only', '-mno-red-zone', '-fno-inline'] },
];
export const GCC_COMMON = ['-O2', '-static', '-nostdlib', '-fno-builtin'];

export function benchPrograms() {
  return readdirSync(SRC).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const ms = (t) => (t >= 10 ? t.toFixed(0) : t.toFixed(1));
const mil = (n) => (n / 1e6).toFixed(1);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return r;
}

function timeRun(cmd, args, opts) {
  const t0 = performance.now();
  const r = run(cmd, args, opts);
  return { ms: performance.now() - t0, stdout: r.stdout };
}

// ---- codegen ----

/** Builds one bench program with our compiler (the environment decides the bounds-check flag). */
async function buildOurs(name, out) {
  const { buildProgram } = await import(join(ROOT, 'out', 'toolchain', 'compiler', 'driver', 'build.js'));
  const { LINUX } = await import(join(ROOT, 'out', 'toolchain', 'compiler', 'driver', 'target.js'));
  const cfgDir = join(OUT, 'cfg', name);
  mkdirSync(cfgDir, { recursive: true });
  const config = {
    compilerOptions: { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] },
    files: [join(SRC, `${name}.ts`), join(SRC, 'lib', 'out.ts'), join(ROOT, 'runtime', 'prelude.d.ts')],
  };
  writeFileSync(join(cfgDir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  mkdirSync(dirname(out), { recursive: true });
  buildProgram({ tsconfig: join(cfgDir, 'tsconfig.json'), target: LINUX, out, emitAsm: `${out}.s`, quiet: true });
}

/**
 * The cost of bounds checks (docs/language.md#bounds-checks): every bench program built with them
 * (the default) and with SCARLETT_BOUNDS_CHECKS=off, instructions executed and code size.
 */
async function boundsBench() {
  const rows = [];
  for (const name of benchPrograms()) {
    const on = join(OUT, 'checks-on', name);
    const off = join(OUT, 'checks-off', name);
    await withBoundsChecks('on', () => buildOurs(name, on));
    await withBoundsChecks('off', () => buildOurs(name, off));
    const a = callgrindIr(on);
    const b = callgrindIr(off);
    if (a.stdout !== b.stdout) throw new Error(`${name}: bounds checks changed the output`);
    const text = (exe) => Number(run('size', ['-A', exe]).stdout.split('\n').find((l) => l.startsWith('.text')).split(/\s+/)[1]);
    rows.push({ name, on: a.ir, off: b.ir, textOn: text(on), textOff: text(off) });
  }
  const lines = [
    '### Bounds checks: instructions executed (callgrind Ir) and .text size, checks on / off',
    '',
    'Each bench program built twice by our compiler: with InlineArray/table bounds checks (the default) and with `SCARLETT_BOUNDS_CHECKS=off`.',
    '',
    '| program | checks on (M Ir) | checks off (M Ir) | ratio | .text on | .text off |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) lines.push(`| ${r.name} | ${mil(r.on)} | ${mil(r.off)} | ${(r.on / r.off).toFixed(3)} | ${r.textOn} | ${r.textOff} |`);
  lines.push(`| **geometric mean** | | | **${geomean(rows.map((r) => r.on / r.off)).toFixed(3)}** | | |`);
  lines.push('', ...(await kernelBounds()));
  return lines.join('\n');
}

/**
 * The kernel's hot paths and .text with and without bounds checks: the kernel is rebuilt with
 * SCARLETT_BOUNDS_CHECKS=off, measured, and rebuilt as before (out/kernel.elf is left with checks).
 */
async function kernelBounds() {
  const { runKernelBench, ROWS } = await import('./kernel.mjs');
  const build = (env) => run('node', ['out/toolchain/compiler/driver/build.js', 'kernel'], { cwd: ROOT, env: { ...process.env, ...env } });
  const text = () => Number(run('size', ['-A', join(ROOT, 'out', 'kernel.elf')]).stdout.split('\n').find((l) => l.startsWith('.text')).split(/\s+/)[1]);
  build({ SCARLETT_BOUNDS_CHECKS: 'on' });
  const on = { values: runKernelBench().values, text: text() };
  build({ SCARLETT_BOUNDS_CHECKS: 'off' });
  const off = { values: runKernelBench().values, text: text() };
  build({ SCARLETT_BOUNDS_CHECKS: 'on' });
  const lines = [
    '#### The kernel with and without bounds checks (instructions per operation, QEMU -icount)',
    '',
    '| benchmark | checks on | checks off | ratio |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const row of ROWS) lines.push(`| ${row.name} | ${on.values[row.name]} | ${off.values[row.name]} | ${(on.values[row.name] / off.values[row.name]).toFixed(3)} |`);
  lines.push(`| .text bytes | ${on.text} | ${off.text} | ${(on.text / off.text).toFixed(3)} |`);
  return lines;
}

/**
 * Our build and gcc's of every program. Ours is built without bounds checks: the comparison is of
 * the two compilers on the same semantics (C indexes unchecked); boundsBench measures the checks.
 */
async function buildAll(names) {
  const exes = {};
  for (const name of names) {
    const ours = join(OUT, 'ours', name);
    await withBoundsChecks('off', () => buildOurs(name, ours));
    exes[name] = { ours };
    for (const g of GCC_BUILDS) {
      const exe = join(OUT, g.key, name);
      mkdirSync(join(OUT, g.key), { recursive: true });
      run('gcc', [...GCC_COMMON, ...g.flags, '-o', exe, join(SRC, `${name}.c`)]);
      exes[name][g.key] = exe;
    }
  }
  return exes;
}

/** Runs fn with SCARLETT_BOUNDS_CHECKS set to flag ('on' or 'off'), then restores it. */
async function withBoundsChecks(flag, fn) {
  const saved = process.env.SCARLETT_BOUNDS_CHECKS;
  process.env.SCARLETT_BOUNDS_CHECKS = flag;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.SCARLETT_BOUNDS_CHECKS;
    else process.env.SCARLETT_BOUNDS_CHECKS = saved;
  }
}

function callgrindIr(exe) {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', exe], { encoding: 'utf8' });
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`valgrind ${exe} failed:\n${r.stderr}`);
  return { ir: Number(m[1]), stdout: r.stdout };
}

async function codegenBench() {
  const names = benchPrograms();
  const exes = await buildAll(names);
  const keys = ['ours', ...GCC_BUILDS.map((g) => g.key)];
  const rows = [];
  for (const name of names) {
    const row = { name, ir: {}, wall: {}, output: {} };
    for (const k of keys) {
      const c = callgrindIr(exes[name][k]);
      row.ir[k] = c.ir;
      row.output[k] = c.stdout.trim();
      row.wall[k] = [];
    }
    const outs = new Set(Object.values(row.output));
    if (outs.size !== 1) throw new Error(`${name}: the builds disagree: ${JSON.stringify(row.output)}`);
    for (let i = 0; i < RUNS; i++) for (const k of keys) row.wall[k].push(timeRun(exes[name][k], []).ms);
    rows.push(row);
  }
  const ratio = (r, k) => r.ir.ours / r.ir[k];
  const head = GCC_BUILDS.map((g) => `${g.label} (M Ir) | ratio`).join(' | ');
  const lines = [
    `### Generated code: instructions executed (callgrind Ir, whole run) and wall time (median of ${RUNS})`,
    '',
    `Every build: \`gcc ${GCC_COMMON.join(' ')}\`; kernel flags add \`${GCC_BUILDS[0].flags.join(' ')}\` (no SSE). Ours without bounds checks (C has none; see the bounds table for their cost).`,
    'ratio = ours / gcc (lower is better; the bar: geometric mean at most 1.03, no program above 1.15).',
    '',
    `| program | ours (M Ir) | ${head} | ours wall (ms) | gcc wall (ms) | checksum |`,
    `| --- | ---: | ${GCC_BUILDS.map(() => '---: | ---:').join(' | ')} | ---: | ---: | --- |`,
  ];
  for (const r of rows) {
    const cols = GCC_BUILDS.map((g) => `${mil(r.ir[g.key])} | ${ratio(r, g.key).toFixed(2)}`).join(' | ');
    lines.push(
      `| ${r.name} | ${mil(r.ir.ours)} | ${cols} | ${ms(median(r.wall.ours))} | ${ms(median(r.wall.gcc))} | \`${r.output.ours.split(' ')[1]}\` |`,
    );
  }
  const gms = GCC_BUILDS.map((g) => `| **${geomean(rows.map((r) => ratio(r, g.key))).toFixed(2)}**`).join(' | ');
  const gmWall = geomean(rows.map((r) => median(r.wall.ours) / median(r.wall.gcc))).toFixed(2);
  lines.push(`| **geometric mean** | | ${gms} | | ratio **${gmWall}** | |`);
  return lines.join('\n');
}

// ---- build time ----

const PHASE_LINE = /^\s+(\S+)\s+(.*?)\s+(\d+) ms$/;

/** The front end's own phase timer (compiler/driver/compile.ts compileToIR), in a fresh process. */
function frontEndPhases() {
  const script =
    `const { compileToIR } = await import(${JSON.stringify(join(ROOT, 'out/toolchain/compiler/driver/compile.js'))});` +
    `console.log(JSON.stringify(compileToIR(${JSON.stringify(join(ROOT, 'kernel-src', 'tsconfig.json'))}).times));`;
  return JSON.parse(run('node', ['--input-type=module', '-e', script], { cwd: ROOT }).stdout);
}

/** Sleeps without an event loop (the rest of this script is synchronous). */
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * A build server (compiler/driver/server.ts) for the rounds that go through it; its log, with the
 * time of each build inside the server, goes to out/bench/server.log.
 */
function startServer() {
  const logFile = join(OUT, 'server.log');
  const fd = openSync(logFile, 'w');
  // as `make server` starts it (the Makefile's SERVE)
  const child = spawn('node', ['--max-semi-space-size=64', 'out/toolchain/compiler/driver/server.js'], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  for (let i = 0; i < 400 && !readFileSync(logFile, 'utf8').includes('[server] serving'); i++) sleep(50);
  if (!readFileSync(logFile, 'utf8').includes('[server] serving')) throw new Error(`the build server did not start:\n${readFileSync(logFile, 'utf8')}`);
  return {
    /** The server's own times (ms) of the builds whose command matches `re`, in order. */
    times: (re) => [...readFileSync(logFile, 'utf8').matchAll(/\[server\] (.*): built in (\d+) ms/g)].filter((m) => re.test(m[1])).map((m) => Number(m[2])),
    stop: () => {
      run('node', ['out/toolchain/compiler/driver/client.js', 'stop-server'], { cwd: ROOT });
      for (let i = 0; i < 100 && child.exitCode === null && existsSync(join(ROOT, 'out/.build.sock')); i++) sleep(50);
    },
  };
}

function buildBench() {
  // As the Makefile runs the toolchain (see TOOL there): node reads this certificate bundle at
  // start-up, which a build never needs. Every row below, node -e 0 and tsc included, runs without it.
  delete process.env.NODE_EXTRA_CA_CERTS;
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  const t = { tsc: [], tscAll: [], build: [], front: [], ts6: [], cold: [], cold2: [], edit: [], small: [], node: [], client: [], load: [], editServer: [], smallServer: [] };
  const log = join(ROOT, 'kernel-src/lib/log.ts');
  const original = readFileSync(log, 'utf8');
  // the one-line edit of tests/incremental.test.ts: a small function inlined into another module
  const edited = original.replace(/(export function capture_end\(\): usize \{\n\s*capture_buf = 0;)/, '$1 capture_cap = 0;');
  if (edited === original) throw new Error('kernel-src/lib/log.ts has no capture_end to edit');
  const build = ['out/toolchain/compiler/driver/build.js', 'kernel'];
  const small = (script) => [`out/toolchain/compiler/driver/${script}`, 'program', 'kernel-src/user/fault', '-o', join(OUT, 'fault.elf'), '--target', 'x86_64-scarlett'];
  const serial = { env: { ...process.env, SCARLETT_BUILD_JOBS: '1' }, cwd: ROOT };
  const phases = new Map(); // "phase what" -> ms[]
  for (let i = 0; i < RUNS; i++) {
    t.tsc.push(timeRun(tsc, ['--noEmit', '-p', 'kernel-src'], { cwd: ROOT }).ms);
    // the kernel build also compiles the user programs, which kernel-src/tsconfig.json excludes
    const t0 = performance.now();
    for (const p of ['kernel-src', 'kernel-src/user']) run(tsc, ['--noEmit', '-p', p], { cwd: ROOT });
    t.tscAll.push(performance.now() - t0);
    // start-up: node alone; the build client (no server: a refused connection); the toolchain loaded
    t.node.push(timeRun('node', ['-e', '0']).ms);
    t.client.push(timeRun('node', ['out/toolchain/compiler/driver/client.js', 'stop-server'], { cwd: ROOT }).ms);
    t.load.push(timeRun('node', ['-e', `await import(${JSON.stringify(join(ROOT, 'out/toolchain/compiler/driver/build.js'))})`, '--input-type=module'], { cwd: ROOT }).ms);
    t.build.push(timeRun('node', build, serial).ms);
    // cold: no back-end cache (TypeScript's build info is kept: a cold check is in the section text)
    rmSync(join(ROOT, 'out/.cache'), { recursive: true, force: true });
    const cold = timeRun('node', build, serial);
    t.cold.push(cold.ms);
    const round = new Map(); // the user programs' lines summed per phase, the kernel's as they are
    for (const line of cold.stdout.split('\n')) {
      const m = PHASE_LINE.exec(line);
      if (!m) continue;
      const users = /^(compile|codegen|assemble|link)$/.test(m[1]) && !/^kernel(-src|\.elf)/.test(m[2]);
      const key = `${m[1]}\t${users ? 'the user programs, summed' : m[2]}`;
      round.set(key, (round.get(key) ?? 0) + Number(m[3]));
    }
    for (const [key, v] of round) {
      if (!phases.has(key)) phases.set(key, []);
      phases.get(key).push(v);
    }
    rmSync(join(ROOT, 'out/.cache'), { recursive: true, force: true });
    t.cold2.push(timeRun('node', build, { cwd: ROOT, env: { ...process.env, SCARLETT_BUILD_JOBS: '2' } }).ms);
    try {
      writeFileSync(log, edited);
      t.edit.push(timeRun('node', build, serial).ms);
    } finally {
      writeFileSync(log, original);
    }
    t.edit.push(timeRun('node', build, serial).ms); // undoing it is an edit too
    t.small.push(timeRun('node', small('build.js'), { cwd: ROOT }).ms);
    t.front.push(frontEndPhases());
    const ts6 = JSON.parse(run('node', ['tests/bench/ts6-check.mjs', 'kernel-src/tsconfig.json'], { cwd: ROOT }).stdout);
    t.ts6.push(ts6.check);
  }
  // The same edits and the small program through the build server (what `make` does while
  // `make watch` or `make server` runs): client wall time, and the server's own time (= watch mode).
  const server = startServer();
  try {
    run('node', ['out/toolchain/compiler/driver/client.js', 'kernel'], serial); // its first build: JIT and caches
    for (let i = 0; i < 2; i++) run('node', small('client.js'), serial);
    for (let i = 0; i < RUNS; i++) {
      try {
        writeFileSync(log, edited);
        t.editServer.push(timeRun('node', ['out/toolchain/compiler/driver/client.js', 'kernel'], serial).ms);
      } finally {
        writeFileSync(log, original);
      }
      t.editServer.push(timeRun('node', ['out/toolchain/compiler/driver/client.js', 'kernel'], serial).ms);
      t.smallServer.push(timeRun('node', small('client.js'), serial).ms);
    }
  } finally {
    server.stop();
  }
  const inServer = { edit: server.times(/^kernel$/).slice(1), small: server.times(/^program /).slice(2) };
  const tscMs = median(t.tsc);
  const buildMs = median(t.build);
  const row = (what, xs) => `| ${what} | ${ms(median(xs))} | ${(median(xs) / tscMs).toFixed(1)} |`;
  const lines = [
    `### Build time (median of ${RUNS}, wall)`,
    '',
    'Builds on one thread (`SCARLETT_BUILD_JOBS=1`) unless the row says two.',
    '',
    '| what | ms | vs tsc |',
    '| --- | ---: | ---: |',
    `| \`tsc --noEmit -p kernel-src\` (TypeScript 7) | ${ms(tscMs)} | 1.0 |`,
    row('`tsc --noEmit -p kernel-src` + `-p kernel-src/user` (what the build compiles)', t.tscAll),
    row('TypeScript 6 (JavaScript, the checker inside our front end): type check of kernel-src, module loading excluded', t.ts6),
    row('start-up: `node -e 0`', t.node),
    row('start-up: the build client, no server (`client.js stop-server`)', t.client),
    row('start-up: node with the toolchain loaded (`import(build.js)`)', t.load),
    row('`node out/toolchain/compiler/driver/build.js kernel` (everything), sources unchanged', t.build),
    row('the same, cold: out/.cache removed (goal: 3x)', t.cold),
    row('the same, cold, two threads (`SCARLETT_BUILD_JOBS=2`)', t.cold2),
    row('the same after a one-line edit of kernel-src/lib/log.ts (goal: 1.5x)', t.edit),
    row('the same edit through the build server: `client.js kernel` while `make server` runs (goal: 1.5x)', t.editServer),
    row('the same edit, the server\'s own time: what `make watch` takes (goal: 300 ms)', inServer.edit),
    row('one small program: `build.js program kernel-src/user/fault` (goal: 250 ms)', t.small),
    row('one small program through the build server (`client.js program ...`)', t.smallServer),
    row('one small program, the server\'s own time', inServer.small),
    '',
    '#### Phases of the cold kernel build (build.js lines, one thread, medians)',
    '',
    '| phase | what | ms |',
    '| --- | --- | ---: |',
  ];
  let sum = 0;
  for (const [key, xs] of phases) {
    const [name, what] = key.split('\t');
    sum += median(xs);
    lines.push(`| ${name} | ${what} | ${ms(median(xs))} |`);
  }
  lines.push(`| | sum of phases (the rest of the wall time is node start-up and module loading) | ${ms(sum)} |`);
  lines.push('', '#### Front end phases for kernel-src (compiler/driver/compile.ts compileToIR, medians)', '', '| phase | ms |', '| --- | ---: |');
  for (const p of t.front[0].map((x) => x.phase)) {
    lines.push(`| ${p} | ${ms(median(t.front.map((f) => f.find((x) => x.phase === p).ms)))} |`);
  }
  return lines.join('\n');
}

async function main(argv) {
  const want = (w) => argv.length === 0 || argv.includes(w);
  mkdirSync(OUT, { recursive: true });
  const info = [
    `Measured ${new Date().toISOString().slice(0, 16)}Z on ${execFileSync('uname', ['-m']).toString().trim()}, ` +
      `node ${process.version}, ${execFileSync('gcc', ['--version']).toString().split('\n')[0]}, ` +
      `${execFileSync('valgrind', ['--version']).toString().trim()}; load average ${loadavg()[0].toFixed(1)} ` +
      '(Ir counts do not depend on it; wall times do).',
  ];
  const parts = [info.join('\n')];
  if (want('codegen')) parts.push(await codegenBench());
  if (want('bounds')) parts.push(await boundsBench());
  if (want('build')) parts.push(buildBench());
  if (want('kernel')) {
    const { runKernelBench, kernelTable } = await import('./kernel.mjs');
    parts.push(kernelTable(runKernelBench().values));
  }
  const text = parts.join('\n\n') + '\n';
  writeFileSync(join(OUT, 'results.md'), text);
  process.stdout.write(text);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
