// The build server (compiler/driver/server.ts) and its client (client.ts, what `make` runs): a
// build through the server writes the same bytes and prints the same diagnostics as a build in the
// client's own process; a server running another toolchain refuses (the client builds itself);
// with no server the client builds in-process. Runs the compiled toolchain (after `make`) from a
// copy of out/toolchain in a temporary tree, so that its socket and stamp are the test's own.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../compiler/driver/build.js';
import { runDriver, toolchainTree } from './toolchain-tree.js';

const { root: tree, driver } = toolchainTree('server-test-');

// A program with a type error and a subset error, for the diagnostics.
const bad = join(tree, 'bad');
mkdirSync(bad);
const options = { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', noLib: true, strict: true, noEmit: true, types: [] };
writeFileSync(join(bad, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['*.ts'], files: [join(ROOT, 'runtime/prelude.d.ts')] }));
writeFileSync(join(bad, 'main.ts'), 'export function main(): void {\n  var x: i32 = 1;\n  const y: i32 = "no";\n}\n');

const client = (args: string[]) => runDriver({ root: tree, driver }, 'client.js', args);
const program = (out: string) => ['program', 'kernel-src/user/fault', '-o', out, '--target', 'x86_64-scarlett'];
/** The phase lines without their times. */
const phases = (stdout: string) => stdout.split('\n').map((l) => l.replace(/\s+\d+ ms$/, ''));

let server: ChildProcess | undefined;
let serverLog = '';
function startServer(): Promise<void> {
  server = spawn('node', [join(driver, 'server.js')], { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] });
  serverLog = '';
  return new Promise((ready, fail) => {
    server!.stdout!.on('data', (d) => {
      serverLog += d;
      if (serverLog.includes('[server] serving')) ready();
    });
    server!.stderr!.on('data', (d) => (serverLog += d));
    server!.on('exit', () => fail(new Error(`the server exited:\n${serverLog}`)));
  });
}
/** Waits until the server's log matches. */
async function logged(re: RegExp): Promise<void> {
  for (let i = 0; i < 200 && !re.test(serverLog); i++) await new Promise((r) => setTimeout(r, 50));
  expect(serverLog).toMatch(re);
}
const exited = () => new Promise<void>((done) => (server!.exitCode !== null ? done() : server!.once('exit', () => done())));

afterAll(() => {
  server?.kill();
  rmSync(tree, { recursive: true, force: true });
});

describe('build server', () => {
  let alone: Awaited<ReturnType<typeof client>>;
  let badAlone: Awaited<ReturnType<typeof client>>;

  it('without a server, the client builds in its own process', async () => {
    alone = await client(program('out/alone.elf'));
    expect(alone.status, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/link {6}alone\.elf/);
    badAlone = await client(['program', 'bad', '-o', 'out/bad.elf']);
    expect(badAlone.status).toBe(1);
    expect(badAlone.stderr).toMatch(/main\.ts:3:\d+ - error TS2322/);
    expect(badAlone.stderr).toMatch(/main\.ts:2:\d+ - error TSK1001/);
  }, 120_000);

  it('through the server: the same bytes, output and diagnostics', async () => {
    await startServer();
    for (let i = 0; i < 2; i++) {
      const served = await client(program('out/served.elf'));
      expect(served.status, served.stderr).toBe(0);
      expect(Buffer.compare(readFileSync(join(tree, 'out/served.elf')), readFileSync(join(tree, 'out/alone.elf')))).toBe(0);
      expect(phases(served.stdout)).toEqual(phases(alone.stdout.replaceAll('alone.elf', 'served.elf')));
    }
    const badServed = await client(['program', 'bad', '-o', 'out/bad.elf']);
    expect(badServed.status).toBe(1);
    expect(badServed.stderr).toBe(badAlone.stderr);
    // the server did them, not the client (its output arrives once spawnSync lets the loop run)
    await logged(/program bad -o out\/bad\.elf: failed/);
    expect(serverLog.match(/served\.elf --target x86_64-scarlett: built in \d+ ms/g)).toHaveLength(2);
  }, 120_000);

  it('the kernel through the server (cold, then from its in-memory cache) is the in-process build', async () => {
    const files = () => ['kernel.elf', 'kernel.s', 'initrd.tar'].map((f) => readFileSync(join(tree, 'out', f)));
    const same = (a: Buffer[], b: Buffer[]) => a.forEach((x, i) => expect(Buffer.compare(x, b[i]), `file ${i}`).toBe(0));
    // in-process: the server is told to stop first, so that the client builds itself
    expect((await client(['stop-server'])).status).toBe(0);
    await exited();
    const r = await client(['kernel', '--no-cache']);
    expect(r.status, r.stderr).toBe(0);
    const plain = files();
    await startServer();
    for (let i = 0; i < 2; i++) {
      const s = await client(['kernel']);
      expect(s.status, s.stderr).toBe(0);
      same(plain, files());
    }
    await logged(/kernel: built in \d+ ms[^]*kernel: built in \d+ ms/);
  }, 600_000);

  it('stops when asked, and removes its socket', async () => {
    expect((await client(['stop-server'])).stdout).toContain('build server stopped');
    await exited();
    expect(existsSync(join(tree, 'out/.build.sock'))).toBe(false);
    expect((await client(['stop-server'])).stdout).toContain('no build server running');
  }, 60_000);

  it('a server of another toolchain refuses and exits; the client builds in-process', async () => {
    await startServer();
    const stamp = join(tree, 'out/toolchain/.hash');
    writeFileSync(stamp, 'another toolchain\n'); // as if out/toolchain had been rebuilt since the server started
    const r = await client(program('out/stale.elf'));
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(tree, 'out/stale.elf')), readFileSync(join(tree, 'out/alone.elf')))).toBe(0);
    await exited();
    await logged(/the toolchain on disk changed/);
    expect(serverLog).not.toMatch(/stale\.elf: built/);
  }, 120_000);
});
