// The compiler driver: front end (load, subset check, lower) -> IR -> back end -> assembler ->
// ELF relocatable object. Each phase is timed separately. The front end alone (compileToIR) is what
// the interpreter-based tests use.

import { writeFileSync } from 'node:fs';
import type { Module } from '../ir/ir.js';
import { printModule } from '../ir/print.js';
import { DiagnosticBag, UserError, type Diagnostic } from '../../linker/diag.js';
import { loadProgram, type Program } from '../frontend/program.js';
import { checkSubset } from '../frontend/check.js';
import { lowerProgram, type LowerOptions } from '../frontend/lower.js';
import type { LoweringCache } from '../frontend/lowercache.js';
import { compileModule } from './backend.js';
import { assemble } from '../asm/assemble.js';
import { formatListing } from '../asm/listing.js';
import { writeRelocatable } from '../../linker/elfobj.js';

export interface PhaseTime {
  phase: string;
  ms: number;
}

export interface FrontEndResult {
  module: Module;
  times: PhaseTime[];
}

function timed<T>(times: PhaseTime[], phase: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    times.push({ phase, ms: performance.now() - t0 });
  }
}

/**
 * Runs the front end on a program directory (or its tsconfig.json). All diagnostics, TypeScript's
 * and the compiler's, are thrown together as one UserError, sorted by position.
 */
export function compileToIR(dirOrConfig: string): FrontEndResult {
  const times: PhaseTime[] = [];
  const program = timed(times, 'load', () => loadProgram(dirOrConfig));
  return { module: lowerLoaded(program, times), times };
}

/** The subset check and lowering of a loaded program (see loadPrograms), timed into `times`. */
export function lowerLoaded(program: Program, times: PhaseTime[] = [], opts: LowerOptions = defaultLowerOptions(), cache?: LoweringCache): Module {
  const diags = new DiagnosticBag();
  timed(times, 'check', () => checkSubset(program.files, diags));
  const module = timed(times, 'lower', () => lowerProgram(program, diags, opts, cache));
  const all = [...program.tsDiagnostics, ...diags.items];
  if (all.length) throw new UserError(sortDiagnostics(all));
  return module;
}

/** The build flag: SCARLETT_BOUNDS_CHECKS=off (`make BOUNDS_CHECKS=off`) compiles without index checks. */
export function defaultLowerOptions(): LowerOptions {
  return { boundsChecks: process.env.SCARLETT_BOUNDS_CHECKS !== 'off' };
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => [d.loc?.file ?? '', d.loc?.line ?? 0, d.loc?.col ?? 0] as const;
  return [...ds].sort((a, b) => {
    const [fa, la, ca] = key(a);
    const [fb, lb, cb] = key(b);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
  });
}

export interface CompileOptions {
  output?: string; // .o path
  emitAsm?: string; // listing path
  emitIR?: boolean; // print the IR to stdout
}

/** The whole compiler: a program to an ELF relocatable object and/or a listing. */
export function compile(dirOrConfig: string, opts: CompileOptions): PhaseTime[] {
  const { module, times } = compileToIR(dirOrConfig);
  if (opts.emitIR) process.stdout.write(printModule(module));
  if (!opts.output && !opts.emitAsm) return times;
  const items = timed(times, 'codegen', () => compileModule(module));
  if (opts.emitAsm) writeFileSync(opts.emitAsm, formatListing(items));
  if (opts.output) {
    const obj = timed(times, 'assemble', () => assemble(items, dirOrConfig));
    writeFileSync(opts.output, writeRelocatable(obj));
  }
  return times;
}
