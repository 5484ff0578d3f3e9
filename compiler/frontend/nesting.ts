// How deeply a program nests, and what happens when it nests too deeply.
//
// TypeScript's parser, binder and checker, and the compiler's own walks over the syntax tree,
// recurse once per level of nesting: nested parentheses, calls, blocks, else-if chains, ternaries,
// and the left-leaning trees of long `a + b + ...` or `a || b || ...` chains. JavaScript's stack
// holds a few thousand such levels, TypeScript's flow analysis grows with the square of them, and
// real code stays below 50. So nesting is bounded: before TypeScript checks a program, every
// source file's syntax tree is measured (iteratively) and a file nested deeper than MAX_NESTING
// is refused with TSK3012 at its deepest point. Should TypeScript overflow its stack anyway (while
// parsing, before there is a tree to measure), the overflow is caught and reported the same way.

import type { Diagnostic } from '../../linker/diag.js';
import type { SourceLoc } from '../../linker/object.js';
import { ts } from './program.js';

/** Levels of syntax-tree nesting a source file may have (docs/language.md, "Limits"). */
export const MAX_NESTING = 400;

/** The code for input nested too deeply (listed with the others in check.ts's CODES). */
export const TOO_DEEP = 'TSK3012';

function tooDeep(loc: SourceLoc | undefined, depth?: number): Diagnostic {
  const what = depth === undefined ? 'nested too deeply for the compiler' : `nested ${depth} levels deep`;
  return {
    code: TOO_DEEP,
    message: `this code is ${what} (the limit is ${MAX_NESTING}): split the expression or statement, or move the inner part into a function`,
    loc,
    severity: 'error',
  };
}

function locAt(file: string, text: string, pos: number): SourceLoc {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { file, line, col: pos - start + 1 };
}

/** The deepest node of a syntax tree and its depth, found without recursion. */
export function deepestNode(sf: ts.SourceFile): { node: ts.Node; depth: number } {
  let best = { node: sf as ts.Node, depth: 0 };
  const stack: { node: ts.Node; depth: number }[] = [{ node: sf, depth: 0 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    if (top.depth > best.depth) best = top;
    const depth = top.depth + 1;
    top.node.forEachChild((c) => {
      stack.push({ node: c, depth });
    });
  }
  return best;
}

/** TSK3012 for each file nested deeper than MAX_NESTING, at its deepest node. */
export function nestingDiagnostics(files: readonly ts.SourceFile[]): Diagnostic[] {
  return files.flatMap((sf) => {
    let d = measured.get(sf);
    if (d === undefined) {
      const { node, depth } = deepestNode(sf);
      d = depth > MAX_NESTING ? tooDeep(locAt(sf.fileName, sf.text, node.getStart(sf)), depth) : null;
      measured.set(sf, d);
    }
    return d ? [d] : [];
  });
}

/** Each parsed file is measured once: program.ts hands the same SourceFile to every build that
 *  reads the same text. */
const measured = new WeakMap<ts.SourceFile, Diagnostic | null>();

/** Is this the JavaScript engine's stack overflow? */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/**
 * TSK3012 for a stack overflow inside TypeScript, placed at the deepest point of the deepest of
 * `texts` (file name -> source): the deepest syntax-tree node when the file parses on its own,
 * else the most deeply nested bracket (what overflows TypeScript's parser).
 */
export function overflowDiagnostic(texts: Map<string, string>): Diagnostic {
  let best: { loc: SourceLoc; depth: number } | undefined;
  for (const [file, text] of texts) {
    let found: { loc: SourceLoc; depth: number };
    try {
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      const { node, depth } = deepestNode(sf);
      found = { loc: locAt(file, text, node.getStart(sf)), depth };
    } catch (e) {
      if (!isStackOverflow(e)) throw e;
      found = deepestBracket(file, text);
    }
    if (!best || found.depth > best.depth) best = found;
  }
  return tooDeep(best?.loc);
}

/** The opening bracket ((, [ or {) nested most deeply, by TypeScript's scanner (no parse). */
function deepestBracket(file: string, text: string): { loc: SourceLoc; depth: number } {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, text);
  let depth = 0;
  let best = { pos: 0, depth: 0 };
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) {
    if (t === ts.SyntaxKind.OpenParenToken || t === ts.SyntaxKind.OpenBracketToken || t === ts.SyntaxKind.OpenBraceToken) {
      if (++depth > best.depth) best = { pos: scanner.getTokenStart(), depth };
    } else if (t === ts.SyntaxKind.CloseParenToken || t === ts.SyntaxKind.CloseBracketToken || t === ts.SyntaxKind.CloseBraceToken) {
      depth--;
    }
  }
  return { loc: locAt(file, text, best.pos), depth: best.depth };
}
