// The back-end worker thread: compiles lowered programs to objects (codegen.ts) on another core
// while the main thread, which alone holds TypeScript's program and checker, lowers and compiles
// the rest (parallel.ts). Loads no TypeScript. Keeps its build caches in memory for the life of the
// process, as the main thread does (watch mode, the build server).
//
// What a job prints (phase lines, assembler warnings) is collected and sent back with its result,
// so that the main thread prints it whole, in the order of the programs.

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../../linker/diag.js';
import { codegen } from './codegen.js';
import { flushWrites } from './buildcache.js';
import { type Done, type Job, PENDING, WORKER } from './worker-protocol.js';

const { port, signal, claims } = workerData as { port: MessagePort; signal: Int32Array; claims: Int32Array };
let output: Done['output'] = [];
const capture = (err: boolean) => ((chunk: string | Uint8Array) => (output.push({ err, text: String(chunk) }), true)) as typeof process.stdout.write;
process.stdout.write = capture(false);
process.stderr.write = capture(true);

parentPort!.on('message', (job: Job) => {
  output = [];
  const done: Done = { id: job.id, output };
  try {
    // A job the main thread took back (it was free before this one started) is only acknowledged.
    if (Atomics.compareExchange(claims, job.id, PENDING, WORKER) === PENDING) done.objects = codegen(job.mod, job.input).objects;
  } catch (e) {
    if (e instanceof UserError) done.diagnostics = e.diagnostics;
    else done.crash = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  flushWrites(true); // its cache files: the process may end once the main thread has this answer
  port.postMessage(done);
  Atomics.add(signal, 0, 1); // wakes the main thread, which may be waiting synchronously (parallel.ts)
  Atomics.notify(signal, 0);
});
