// The compiler driver: front end (load, subset check, lower) -> IR -> back end -> assembler ->
// ELF relocatable object. Each phase is timed separately. The front end alone (compileToIR) is what
// the interpreter-based tests use.

import { writeFileSync } from 'node:fs';
import type { Module, Func, Inst, Value, Terminator } from '../ir/ir.js';
import { DiagnosticBag, UserError, type Diagnostic } from '../../linker/diag.js';
import { loadProgram, type Program } from '../frontend/program.js';
import { checkSubset } from '../frontend/check.js';
import { lowerProgram } from '../frontend/lower.js';
import { compileModule } from './backend.js';
import { assemble } from '../asm/assemble.js';
import { formatListing } from '../asm/listing.js';
import { writeRelocatable } from '../../linker/elfobj.js';

export type Target = 'kernel' | 'linux';

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
export function lowerLoaded(program: Program, times: PhaseTime[] = []): Module {
  const diags = new DiagnosticBag();
  timed(times, 'check', () => checkSubset(program.files, diags));
  const module = timed(times, 'lower', () => lowerProgram(program, diags));
  const all = [...program.tsDiagnostics, ...diags.items];
  if (all.length) throw new UserError(sortDiagnostics(all));
  return module;
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
  target: Target;
  output?: string; // .o path
  emitAsm?: string; // listing path
  emitIR?: boolean; // print the IR to stdout
}

/** The whole compiler: a program to an ELF relocatable object and/or a listing. */
export function compile(dirOrConfig: string, opts: CompileOptions): PhaseTime[] {
  const { module, times } = compileToIR(dirOrConfig);
  if (opts.emitIR) process.stdout.write(printModule(module));
  if (!opts.output && !opts.emitAsm) return times;
  const items = timed(times, 'codegen', () => compileModule(module, { target: opts.target }));
  if (opts.emitAsm) writeFileSync(opts.emitAsm, formatListing(items));
  if (opts.output) {
    const obj = timed(times, 'assemble', () => assemble(items, dirOrConfig));
    writeFileSync(opts.output, writeRelocatable(obj));
  }
  return times;
}

// ---- IR listing (for --emit-ir and test failure messages) ----

export function printModule(m: Module): string {
  const out: string[] = [];
  for (const g of m.globals) {
    const bytes = g.bytes ? ` [${[...g.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]` : '';
    const relocs = g.relocs.map((r) => ` @${r.offset}=${r.sym}${r.addend ? '+' + r.addend : ''}`).join('');
    out.push(`${g.exported ? 'export ' : ''}${g.section} $${g.name} align ${g.align} size ${g.size}${bytes}${relocs}`);
  }
  if (m.externs.length) out.push(`extern ${m.externs.map((e) => '$' + e).join(', ')}`);
  for (const f of m.funcs) out.push('', printFunc(f));
  return out.join('\n') + '\n';
}

const val = (v: Value): string =>
  v.kind === 'vreg' ? `%${v.id}` : v.kind === 'const' ? `${v.value}` : `$${v.name}${v.addend ? (v.addend > 0n ? '+' : '') + v.addend : ''}`;

export function printFunc(f: Func): string {
  const params = f.params.map((p) => `${p.cls} %${p.vreg}`).join(', ');
  const lines = [`${f.exported ? 'export ' : ''}function${f.ret ? ' ' + f.ret : ''} $${f.name}(${params})${f.inline === 'always' ? ' inline' : ''} {`];
  for (const b of f.blocks) {
    lines.push(`@${b.id}`);
    for (const i of b.insts) lines.push('  ' + printInst(i));
    lines.push('  ' + printTerm(b.term));
  }
  lines.push('}');
  return lines.join('\n');
}

function printInst(i: Inst): string {
  switch (i.op) {
    case 'bin': return `%${i.dst} =${i.cls} ${i.bin} ${val(i.a)}, ${val(i.b)}`;
    case 'un': return `%${i.dst} =${i.cls} ${i.un} ${val(i.a)}`;
    case 'cmp': return `%${i.dst} =w ${i.cmp}${i.cls} ${val(i.a)}, ${val(i.b)}`;
    case 'ext': return `%${i.dst} =${i.cls} ext${i.signed ? 's' : 'u'}${i.from} ${val(i.a)}`;
    case 'copy': return `%${i.dst} =${i.cls} copy ${val(i.a)}`;
    case 'select': return `%${i.dst} =${i.cls} select ${val(i.cond)}, ${val(i.a)}, ${val(i.b)}`;
    case 'load': return `%${i.dst} =${i.cls} load${i.signed ? 's' : 'u'}${i.width}${i.volatile ? ' volatile' : ''} ${val(i.addr)}`;
    case 'store': return `store${i.width}${i.volatile ? ' volatile' : ''} ${val(i.value)}, ${val(i.addr)}`;
    case 'alloca': return `%${i.dst} =l alloca ${i.size}, align ${i.align}`;
    case 'call': return `${i.dst !== undefined ? `%${i.dst} =${i.cls} ` : ''}call ${val(i.callee)}(${i.args.map(val).join(', ')})`;
    case 'intrin': return `${i.dst !== undefined ? `%${i.dst} =${i.cls} ` : ''}intrin ${i.name}${i.width ? '.' + i.width : ''}(${i.args.map(val).join(', ')})`;
    case 'phi': return `%${i.dst} =${i.cls} phi ${i.incoming.map((x) => `@${x.block} ${val(x.value)}`).join(', ')}`;
  }
}

function printTerm(t: Terminator): string {
  switch (t.op) {
    case 'jmp': return `jmp @${t.target}`;
    case 'br': return `br ${val(t.cond)}, @${t.then}, @${t.else}`;
    case 'ret': return t.value ? `ret ${val(t.value)}` : 'ret';
    case 'unreachable': return 'unreachable';
  }
}
