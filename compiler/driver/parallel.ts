// The back end of several programs on two cores: the main thread hands lowered programs to one
// worker thread (worker.ts) and goes on with its own work; the results come back in any order
// and are taken by id. A job the worker has not started when the main thread wants its result is
// taken back and compiled by the main thread itself (a shared array of claims, compare-and-swap),
// so a worker starved of CPU on a busy machine never makes the build wait. The build stays synchronous (watch mode, the build server and the tests call
// it so): the main thread waits with Atomics.wait and takes the reply with receiveMessageOnPort,
// without its event loop.
//
// The worker gets a structured clone of each program's IR, which keeps every value and which
// objects are shared; the back end reads nothing else (its output is checked byte for byte
// against the serial build: tests/parallel.test.ts).

import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Module } from '../ir/ir.js';
import type { CodegenInput } from './codegen.js';
import { codegen } from './codegen.js';
import { type Done, type Job, MAIN, PENDING } from './worker-protocol.js';

/**
 * How many threads compile: SCARLETT_BUILD_JOBS, else two when the toolchain runs compiled
 * (out/toolchain; from the TypeScript sources, under vitest, a worker could not load) and a core
 * is idle by the load average, as `make -l` decides. On a machine whose cores are all busy a
 * second thread gained nothing and cost ~2 s of CPU (its JIT warms up separately; measured in
 * docs/benchmarks.md), so the build stays on one.
 */
export function buildJobs(): number {
  const n = Number(process.env.SCARLETT_BUILD_JOBS);
  if (Number.isInteger(n) && n > 0) return Math.min(n, 2);
  const cores = availableParallelism();
  return import.meta.url.endsWith('.js') && cores > 1 && loadavg()[0] <= cores - 1 ? 2 : 1;
}

export class BackendWorker {
  private worker: Worker;
  private port: MessagePort;
  private signal = new Int32Array(new SharedArrayBuffer(4));
  private claims = new Int32Array(new SharedArrayBuffer(4 * MAX_JOBS));
  private jobs = new Map<number, Job>();
  private done = new Map<number, Done>();
  private next = 0;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(fileURLToPath(new URL('./worker.js', import.meta.url)), {
      workerData: { port: port2, signal: this.signal, claims: this.claims },
      transferList: [port2],
    });
    this.worker.unref(); // idle, it does not keep the process alive
  }

  /** Starts compiling a program; returns the id to wait for. */
  submit(mod: Module, input: CodegenInput): number {
    const job: Job = { id: this.next++ % MAX_JOBS, mod, input };
    Atomics.store(this.claims, job.id, PENDING);
    this.jobs.set(job.id, job);
    this.worker.postMessage(job);
    return job.id;
  }

  /** The result of job `id`: compiled here if the worker has not started it, else the worker's. */
  wait(id: number): Done {
    const job = this.jobs.get(id)!;
    this.jobs.delete(id);
    if (Atomics.compareExchange(this.claims, id, PENDING, MAIN) === PENDING) return this.here(job);
    for (;;) {
      const hit = this.done.get(id);
      if (hit) return (this.done.delete(id), hit);
      const seen = Atomics.load(this.signal, 0);
      const m = receiveMessageOnPort(this.port);
      if (m) {
        const d = m.message as Done;
        if (this.skip.delete(d.id)) continue; // the acknowledgement of a job taken back
        this.done.set(d.id, d);
        continue;
      }
      // threadId is -1 once the worker has stopped (its 'exit' event needs the event loop)
      if (this.worker.threadId < 0) throw new Error('the back-end worker thread stopped');
      Atomics.wait(this.signal, 0, seen, 250);
    }
  }

  /** A job compiled on this thread, reported like the worker's (its output is printed as it comes). */
  private here(job: Job): Done {
    this.skip.add(job.id); // the worker's acknowledgement of the job will come: dropped then
    return { id: job.id, output: [], objects: codegen(job.mod, job.input).objects };
  }

  private skip = new Set<number>();
}

/** Job ids are reused modulo this: more programs than this are never in flight at once. */
const MAX_JOBS = 4096;

let shared: BackendWorker | undefined;

/** The process's back-end worker, started on first use and kept (its caches stay warm). */
export function backendWorker(): BackendWorker {
  return (shared ??= new BackendWorker());
}
