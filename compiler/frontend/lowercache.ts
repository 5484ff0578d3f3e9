// Lowered functions kept between the builds of one process (watch mode, the build server), so that
// a one-line edit lowers the functions it touched, not the whole program again.
//
// What a function's IR depends on is its own text and position, and the program's declarations:
// types, signatures, classes, constants, module variables. So a function is kept under
//   - the environment: every file of the program with the bodies of its non-generic functions and
//     methods blanked out and without the comments between declarations (envKey), with the
//     compiler options and the lowering options; an edit of anything but such a body or comment
//     changes it, and then nothing is reused;
//   - its own key: its symbol, where its declaration starts, and its text, comments included (the
//     /** @inline *\/ tags). A constructor is keyed by its whole class: it stores the field
//     initialisers.
// Lowering a function also reads and changes state shared with the others, and that is recorded
// while it is lowered (Effects) and replayed on a hit: the string constants it interns and the
// vtable slots it numbers (each replayed in order, which must give the same symbols and numbers,
// else it is lowered again), and the generic instances it uses, which must exist already. A
// function that creates instances or lambdas (both are lowered later, in the order they were
// made), reports anything, or holds a debug location outside its declaration is not kept.
// Kept functions are shared with the module and must never change: the back end works on copies
// of the functions it compiles (buildcache.ts, Plan).

import { createHash } from 'node:crypto';
import type { Func } from '../ir/ir.js';
import type { DebugType } from '../../linker/object.js';
import { ts, type Program } from './program.js';

/** Shared state one function's lowering read or changed, in the order it did. */
export interface Effects {
  strings: [text: string, sym: string][];
  slots: [key: string, slot: number][];
  instances: string[]; // generic instances used that existed before
}

export interface LoweredEntry extends Effects {
  func: Func;
}

/** One program's lowered functions, for the life of the process. */
export class LoweringCache {
  env?: string;
  entries = new Map<string, LoweredEntry>();
  /** Struct debug types by `file \0 symbol prefix`: kept and fresh functions must share them (the
   *  DWARF writer tells structs apart by object). */
  debugStructs = new Map<string, DebugType>();
  used = new Set<string>();
  reused = 0; // functions taken from the cache by the last build

  /** Starts a build: entries of another environment are dropped. */
  begin(env: string): void {
    if (env !== this.env) {
      this.entries.clear();
      this.debugStructs.clear();
      this.env = env;
    }
    this.used.clear();
    this.reused = 0;
  }

  /** Ends a build: entries it did not use are dropped (the cache does not grow with edits). */
  end(): void {
    for (const k of [...this.entries.keys()]) if (!this.used.has(k)) this.entries.delete(k);
  }
}

/** The environment key of a program: its files with the bodies that are lowered alone blanked. */
export function envKey(p: Program, options: string): string {
  const h = createHash('sha1').update(options).update(JSON.stringify(p.program.getCompilerOptions()));
  const own = new Set(p.files);
  for (const sf of p.program.getSourceFiles()) {
    if (!own.has(sf) && !sf.isDeclarationFile) continue;
    h.update('\0').update(sf.fileName).update('\0').update(own.has(sf) ? declarationsOf(sf) : sf.text);
  }
  return h.digest('hex');
}

/** The key of one function within its environment. */
export function funcKey(sym: string, decl: ts.Node): string {
  const sf = decl.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(decl.getStart(sf));
  return `${sym}\0${sf.fileName}:${line}:${character}\0${decl.getFullText(sf)}`;
}

/** Whether every debug location of `f` lies in the lines of `decl` (its key says nothing of others). */
export function locsWithin(f: Func, decl: ts.Node): boolean {
  const sf = decl.getSourceFile();
  const first = sf.getLineAndCharacterOfPosition(decl.getStart(sf)).line + 1;
  const last = sf.getLineAndCharacterOfPosition(decl.end).line + 1;
  const inside = (l: { file: string; line: number } | undefined) => !l || (l.file === sf.fileName && l.line >= first && l.line <= last);
  return inside(f.loc) && f.blocks.every((b) => inside(b.term.loc) && b.insts.every((i) => inside(i.loc)));
}

const blanked = new WeakMap<ts.SourceFile, string>();

/** A file's declarations as text: each statement from its first token (the comments and blank
 *  lines around it, which can only move it, left out: a kept function is keyed by its own
 *  position), without the bodies of its non-generic functions and of the methods, accessors and
 *  constructors of its non-generic classes. Parsed files are shared while unchanged (program.ts),
 *  so this is worked out once per file version. */
function declarationsOf(sf: ts.SourceFile): string {
  const known = blanked.get(sf);
  if (known !== undefined) return known;
  const text = (from: ts.Node, to: number) => sf.text.slice(from.getStart(sf), to);
  const withoutBody = (d: ts.Node, body: ts.Node | undefined) => (body ? `${text(d, body.getStart(sf))}{}` : text(d, d.end));
  const parts: string[] = [];
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && !stmt.typeParameters?.length) parts.push(withoutBody(stmt, stmt.body));
    else if (ts.isClassDeclaration(stmt) && !stmt.typeParameters?.length) {
      parts.push(text(stmt, stmt.members.pos));
      for (const m of stmt.members) {
        const body = (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isAccessor(m)) && !m.typeParameters?.length ? m.body : undefined;
        parts.push(withoutBody(m, body));
      }
      parts.push('}');
    } else parts.push(text(stmt, stmt.end));
  }
  const out = parts.join('\n');
  blanked.set(sf, out);
  return out;
}
