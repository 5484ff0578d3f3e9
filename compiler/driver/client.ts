// The build command behind `make`: the same commands as build.js (kernel, iso, program ...), sent
// to the build server when one is running (server.ts: `make watch` or `make server`), which has the
// toolchain loaded, compiled by the JIT and its caches warm; otherwise, or when the server runs
// another toolchain or goes away, built in this process by build.js, with the same result.
//
//   node out/toolchain/compiler/driver/client.js kernel | iso | program <dir> -o <elf> [--target T]
//   node out/toolchain/compiler/driver/client.js stop-server      stops a running server
//
// It loads nothing of the toolchain unless it builds in-process, so that asking the server costs
// little more than starting node.

import { connect } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_KEYS, findRoot, type Reply, type Request, socketPath, toolchainStamp } from './protocol.js';

const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** Builds in this process (build.js's own command line). */
async function inProcess(argv: string[]): Promise<void> {
  const { main } = await import('./build.js');
  const { runMain } = await import('../../linker/diag.js');
  await runMain(() => main(argv));
}

/**
 * Sends the request; resolves true when the server answered it (its output and exit status are
 * passed on), false when there is no server or it cannot answer (nothing was printed then).
 */
function viaServer(argv: string[]): Promise<boolean> {
  const toolchain = toolchainStamp(ROOT);
  if (!toolchain) return Promise.resolve(false);
  const req: Request = { argv, cwd: process.cwd(), env: Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]])), toolchain };
  return new Promise((done) => {
    const sock = connect(socketPath(ROOT));
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('error', () => done(false)); // no server (no socket, or a stale one)
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const reply = JSON.parse(buf.slice(0, nl)) as Reply;
        buf = buf.slice(nl + 1);
        if ('out' in reply) process.stdout.write(reply.out);
        else if ('err' in reply) process.stderr.write(reply.err);
        else if ('exit' in reply) {
          // Done: the server may still be writing its cache files before it closes the connection.
          process.exitCode = reply.exit;
          sock.destroy();
          return done(true);
        }
      }
    });
    // A server that closes without an exit status (stale, stopped, killed) did not build.
    sock.on('close', () => done(false));
  });
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'stop-server') {
    const stopped = await viaServer(argv);
    console.log(stopped ? 'build server stopped' : 'no build server running');
    return;
  }
  if (!(await viaServer(argv))) await inProcess(argv);
}

void main(process.argv.slice(2));
