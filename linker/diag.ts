// Diagnostics shared by every stage (compiler, assembler, linker).
//
// A user's mistake is reported as `path:line:col - error CODE: message` followed by a code frame,
// like tsc. Stages collect several diagnostics and throw one UserError at the end of the phase; the
// command-line drivers catch it, print it and exit 1. Any other exception is a bug in the toolchain.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { SourceLoc } from './object.js';

export interface Diagnostic {
  loc?: SourceLoc; // absent for errors with no source position (e.g. a missing entry symbol)
  code: string; // "TSK1001", "ASM0003", "LNK0001", ...
  message: string;
  severity?: 'error' | 'warning';
}

export class UserError extends Error {
  constructor(public readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  }
}

/** Collects diagnostics during a phase; `check()` throws them all at once. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  error(code: string, message: string, loc?: SourceLoc): void {
    this.items.push({ code, message, loc, severity: 'error' });
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity !== 'warning');
  }
  check(): void {
    if (this.hasErrors) throw new UserError(this.items);
  }
}

/** Throws a single diagnostic right away (for errors after which the phase cannot go on). */
export function fail(code: string, message: string, loc?: SourceLoc): never {
  throw new UserError([{ code, message, loc, severity: 'error' }]);
}

const sourceCache = new Map<string, string[] | null>();

function sourceLines(file: string, text?: string): string[] | null {
  if (text !== undefined) return text.split('\n');
  if (!sourceCache.has(file)) {
    try {
      sourceCache.set(file, readFileSync(file, 'utf8').split('\n'));
    } catch {
      sourceCache.set(file, null);
    }
  }
  return sourceCache.get(file)!;
}

/** Formats one diagnostic with a code frame: the line, and a caret under the column. */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  const sev = d.severity ?? 'error';
  if (!d.loc) return `${sev} ${d.code}: ${d.message}`;
  const { file, line, col } = d.loc;
  const shown = relative(process.cwd(), file) || file;
  let out = `${shown}:${line}:${col} - ${sev} ${d.code}: ${d.message}`;
  const lines = sourceLines(file, sourceText);
  const text = lines?.[line - 1];
  if (text !== undefined) {
    const num = String(line);
    out += `\n\n${num} ${text.replace(/\t/g, ' ')}\n${' '.repeat(num.length + col)}^\n`;
  }
  return out;
}

/** Runs a command-line main function: user errors print as diagnostics and exit 1. */
export async function runMain(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof UserError) {
      for (const d of e.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      const n = e.diagnostics.filter((d) => d.severity !== 'warning').length;
      process.stderr.write(`\nFound ${n} error${n === 1 ? '' : 's'}.\n`);
      process.exit(1);
    }
    throw e;
  }
}
