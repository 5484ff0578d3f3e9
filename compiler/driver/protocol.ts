// What the build client (client.ts) and the build server (server.ts) share: where the server
// listens, how the toolchain is named, and the messages. Imports nothing of the toolchain, so
// that the client starts as fast as node does.
//
// One request per connection, a line of JSON; the answers are lines of JSON: output as it comes,
// then the exit status (or `stale`: this server runs another toolchain, build in-process).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Request {
  argv: string[]; // build.js's arguments: kernel | iso | program ...
  cwd: string;
  env: Record<string, string | undefined>; // the variables that change a build (ENV_KEYS)
  toolchain: string; // the stamp of the toolchain the client belongs to (toolchainStamp)
}

export type Reply = { out: string } | { err: string } | { exit: number } | { stale: true };

/** Environment variables a build reads (compile.ts: the bounds-check flag; parallel.ts: threads). */
export const ENV_KEYS = ['SCARLETT_BOUNDS_CHECKS', 'SCARLETT_BUILD_JOBS'];

/** The repository root: the first directory above `dir` with a package.json. */
export function findRoot(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  return process.cwd();
}

/** The server's Unix socket: out/.build.sock of the tree. */
export function socketPath(root: string): string {
  return join(root, 'out', '.build.sock');
}

/** Written by build-toolchain.mjs after compiling the toolchain: its content hash (toolchainHash). */
export function stampPath(root: string): string {
  return join(root, 'out', 'toolchain', '.hash');
}

/** The hash of the toolchain on disk, as the last toolchain build recorded it ('' when unknown). */
export function toolchainStamp(root: string): string {
  try {
    return readFileSync(stampPath(root), 'utf8').trim();
  } catch {
    return '';
  }
}
