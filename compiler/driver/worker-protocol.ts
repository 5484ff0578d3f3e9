// What the main thread (parallel.ts) and the back-end worker (worker.ts) send each other, and the
// states of a job in their shared claims array. Its own file so that neither imports the other.

import type { ObjectFile } from '../../linker/object.js';
import type { Diagnostic } from '../../linker/diag.js';
import type { Module } from '../ir/ir.js';
import type { CodegenInput } from './codegen.js';

export interface Job {
  id: number;
  mod: Module;
  input: CodegenInput;
}

export interface Done {
  id: number;
  output: { err: boolean; text: string }[]; // what the job printed, in order
  objects?: ObjectFile[]; // absent when the main thread took the job back
  diagnostics?: Diagnostic[]; // the program's errors (a UserError)
  crash?: string; // anything else thrown: a bug, reported by the main thread
}

/** A job's state in the shared claims array: either thread may take a pending one, once. */
export const PENDING = 0;
export const WORKER = 1;
export const MAIN = 2;
