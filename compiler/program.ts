// Loads a program: the project's tsconfig, its source files, and TypeScript's own errors.
//
// ts-morph reads the tsconfig (the kernel's uses noLib with runtime/prelude.d.ts as its only
// library); from then on the compiler works on the raw TypeScript AST and checker (ts-morph's `ts`
// export), because the ts-morph wrappers are slow when used per node on a 10k-line program.
// TypeScript's own errors (a misspelt name, a wrong argument count) come back as `TSnnnn`
// diagnostics in the same format as the compiler's.

import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Project, ts } from 'ts-morph';
import { fail, type Diagnostic } from './diag.js';

export { ts };

export interface Program {
  tsconfig: string;
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The user's sources in a stable order (declaration files such as the prelude excluded). */
  files: ts.SourceFile[];
  /** TypeScript's own errors, already converted. */
  tsDiagnostics: Diagnostic[];
}

/** Finds the tsconfig.json for a directory, or takes a path to one. */
export function findTsconfig(dirOrConfig: string): string {
  const p = resolve(dirOrConfig);
  if (!existsSync(p)) fail('TSK3001', `no such file or directory: ${dirOrConfig}`);
  if (statSync(p).isDirectory()) {
    const cfg = join(p, 'tsconfig.json');
    if (!existsSync(cfg)) fail('TSK3001', `no tsconfig.json in ${dirOrConfig}`);
    return cfg;
  }
  return p;
}

export function loadProgram(dirOrConfig: string): Program {
  const tsconfig = findTsconfig(dirOrConfig);
  let project: Project;
  try {
    project = new Project({ tsConfigFilePath: tsconfig });
  } catch (e) {
    fail('TSK3001', `cannot read ${tsconfig}: ${(e as Error).message}`);
  }
  const program = project.getProgram().compilerObject;
  const checker = program.getTypeChecker();
  const files = program
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'))
    .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  const tsDiagnostics = ts.getPreEmitDiagnostics(program).map(convertTsDiagnostic);
  return { tsconfig, program, checker, files, tsDiagnostics };
}

/** Position of a node (its first token, not its leading trivia) as a SourceLoc. */
export function nodeLoc(node: ts.Node) {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return { file: sf.fileName, line: line + 1, col: character + 1 };
}

function convertTsDiagnostic(d: ts.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const code = `TS${d.code}`;
  if (!d.file || d.start === undefined) return { code, message, severity: 'error' };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { code, message, severity: 'error', loc: { file: d.file.fileName, line: line + 1, col: character + 1 } };
}
