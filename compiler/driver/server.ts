// The build server: one process that keeps the toolchain loaded and answers build requests from
// client.ts (what `make` runs), as Gradle's daemon or Bazel's server do. A build in it skips node's
// start-up and the loading of TypeScript and the toolchain, runs on code the JIT has already
// compiled, and finds TypeScript's last program and the back-end cache (buildcache.ts) in memory.
//
//   make server     (node out/toolchain/compiler/driver/server.js): serves until Ctrl-C, until
//                   `client.js stop-server`, or after 30 minutes without a request
//   make watch      serves too, between its rebuilds (watch.ts)
//
// Nothing it keeps can make a result stale: TypeScript re-reads every file and compares texts,
// and the back-end cache is keyed by content. The toolchain itself is checked on every request:
// the client sends the stamp of the toolchain on disk (out/toolchain/.hash, written when it is
// built), and a server loaded from other code answers `stale` and exits; the client then builds
// in-process. Requests are served one at a time, on the main thread, like the builds of watch mode.

import { existsSync, unlinkSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, primeKernel, ROOT } from './build.js';
import { toolchainHash } from './buildcache.js';
import { formatDiagnostic, UserError } from '../../linker/diag.js';
import { type Reply, type Request, socketPath } from './protocol.js';

const IDLE_MS = 30 * 60 * 1000;

/** The hash of the toolchain this process runs, taken as it loads (before anything can change it). */
const LOADED = toolchainHash();

/** Runs one request with its output sent to the client; returns the exit status. */
function handle(req: Request, send: (r: Reply) => void): number {
  const out = process.stdout.write;
  const err = process.stderr.write;
  const cwd = process.cwd();
  const env = Object.fromEntries(Object.keys(req.env).map((k) => [k, process.env[k]]));
  const capture = (key: 'out' | 'err') => ((chunk: string | Uint8Array) => {
    send(key === 'out' ? { out: String(chunk) } : { err: String(chunk) });
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture('out');
  process.stderr.write = capture('err');
  setEnv(req.env);
  try {
    process.chdir(req.cwd);
    main(req.argv);
    return 0;
  } catch (e) {
    if (!(e instanceof UserError)) {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); // as node prints an uncaught error
      return 1;
    }
    // as runMain (linker/diag.ts) prints them
    for (const d of e.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    const n = e.diagnostics.filter((d) => d.severity !== 'warning').length;
    process.stderr.write(`\nFound ${n} error${n === 1 ? '' : 's'}.\n`);
    return 1;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.chdir(cwd);
    setEnv(env);
  }
}

function setEnv(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/**
 * Listens on the tree's socket; `log` gets one line per request. Resolves to the server, or to
 * undefined when another server already answers there. `onStop` runs when a client asks it to stop
 * or the toolchain changed.
 */
export async function serve(log: (line: string) => void, onStop: () => void): Promise<Server | undefined> {
  const path = socketPath(ROOT);
  if (existsSync(path)) {
    if (await answers(path)) return undefined;
    unlinkSync(path); // left by a server that was killed
  }
  let idle: NodeJS.Timeout | undefined;
  const server = createServer((sock: Socket) => {
    let buf: string | undefined = '';
    sock.setEncoding('utf8');
    sock.on('error', () => {}); // a client that went away: its build still finishes
    sock.on('data', (chunk: string) => {
      if (buf === undefined) return; // one request per connection
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let req: Request;
      try {
        req = JSON.parse(buf.slice(0, nl)) as Request;
      } catch {
        return void sock.destroy(); // not a client of ours
      }
      buf = undefined;
      const send = (r: Reply) => void (sock.writable && sock.write(JSON.stringify(r) + '\n'));
      if (req.toolchain !== LOADED) {
        log('[server] the toolchain on disk changed: stopping (clients build in-process)');
        send({ stale: true });
        sock.end();
        return stop();
      }
      if (req.argv[0] === 'stop-server') {
        send({ exit: 0 });
        sock.end();
        log('[server] stopped by a client');
        return stop();
      }
      const start = performance.now();
      const status = handle(req, send);
      log(`[server] ${req.argv.join(' ')}: ${status === 0 ? 'built' : 'failed'} in ${Math.round(performance.now() - start)} ms`);
      send({ exit: status });
      sock.end();
      resetIdle();
    });
  });
  const stop = () => {
    clearTimeout(idle);
    server.close();
    onStop();
  };
  const resetIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => (log('[server] idle for 30 minutes: stopping'), stop()), IDLE_MS);
  };
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(path, ok));
  process.once('exit', () => server.listening && existsSync(path) && unlinkSync(path));
  resetIdle();
  return server;
}

/** Whether a server answers on `path` (a socket file with nobody behind it does not). */
function answers(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(path);
    s.on('connect', () => (s.destroy(), done(true)));
    s.on('error', () => done(false));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.once('SIGINT', () => process.exit(130)); // so that the exit handler removes the socket
  process.once('SIGTERM', () => process.exit(143));
  const server = await serve(console.log, () => process.exit(0));
  if (!server) {
    console.error(`a build server already answers on ${socketPath(ROOT)}`);
    process.exit(1);
  }
  console.log(`[server] serving builds of ${ROOT} on ${socketPath(ROOT)} (Ctrl-C or \`client.js stop-server\` to stop)`);
  // A request that comes meanwhile waits for this (watch.ts does the same after its first build).
  setTimeout(() => console.log(`[server] ready for edits: everything loaded in ${primeKernel()} ms`), 0);
}
