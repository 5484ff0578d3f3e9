// Loads a program: the project's tsconfig, its source files, and TypeScript's own errors.
//
// The compiler works on the raw TypeScript AST and checker (the TypeScript that ts-morph bundles,
// without ts-morph's per-node wrappers, which are slow on a 10k-line program). The tsconfig (the
// kernel's uses noLib with runtime/prelude.d.ts as its only library) is read by TypeScript itself.
// TypeScript's own errors (a misspelt name, a wrong argument count) come back as `TSnnnn`
// diagnostics in the same format as the compiler's.
//
// One build compiles several programs (the kernel and its user programs) that share files: the
// prelude, user/lib, abi/. Parsed SourceFiles are kept for the life of the process and handed to
// every program that reads the same text (the way a language service's document registry does),
// so each shared file is parsed and bound once.
//
// TypeScript's check is most of the front end's time, so it is incremental, as `tsc --incremental`
// is: TypeScript's builder keeps each file's errors in a build-info file (node_modules/.cache/
// scarlett-os/tsbuildinfo/), and the next build re-checks only the files that changed or that
// depend on a changed declaration. What lowering asks the checker afterwards it answers lazily.

import { createHash } from 'node:crypto';
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fail, UserError, type Diagnostic } from '../../linker/diag.js';
import { isStackOverflow, nestingDiagnostics, overflowDiagnostic } from './nesting.js';
import { packageCacheDir, preloadWithCodeCache, writeAtomically } from './codecache.js';

preloadWithCodeCache('@ts-morph/common/dist/typescript.js'); // so that the require below finds it compiled
// CommonJS through require(): an ESM import would first scan all 9 MB for its export names.
import ts = require('@ts-morph/common/dist/typescript.js');

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
function findTsconfig(dirOrConfig: string): string {
  const p = resolve(dirOrConfig);
  if (!existsSync(p)) fail('TSK3001', `no such file or directory: ${dirOrConfig}`);
  if (statSync(p).isDirectory()) {
    const cfg = join(p, 'tsconfig.json');
    if (!existsSync(cfg)) fail('TSK3001', `no tsconfig.json in ${dirOrConfig}`);
    return cfg;
  }
  return p;
}

interface Config {
  options: ts.CompilerOptions;
  rootNames: string[];
}

/** Reads a tsconfig: compiler options and root files (those that exist). */
function readConfig(tsconfig: string): Config {
  const text = readFileSync(tsconfig, 'utf8');
  const known = configs.get(tsconfig);
  if (known && known.text === text && known.dirs.every(([d, stamp]) => dirStamp(d) === stamp)) return known.config;
  const json = ts.parseConfigFileTextToJson(tsconfig, text);
  if (json.error) fail('TSK3001', `cannot read ${tsconfig}: ${ts.flattenDiagnosticMessageText(json.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(json.config, ts.sys, dirname(tsconfig), undefined, tsconfig);
  const config = { options: parsed.options, rootNames: parsed.fileNames.filter((f) => existsSync(f)) };
  // The directories its include patterns were matched in (TypeScript's own list, as tsc --watch
  // uses it), with every subdirectory of a recursive one: a file added or removed changes one's stamp.
  const dirs = Object.entries(parsed.wildcardDirectories ?? {}).flatMap(([d, flags]) => (flags & ts.WatchDirectoryFlags.Recursive ? subdirectories(d) : [d]));
  configs.set(tsconfig, { text, config, dirs: dirs.map((d) => [d, dirStamp(d)]) });
  return config;
}

/** Tsconfigs read by this process (watch mode reads the same ones for every build). */
const configs = new Map<string, { text: string; config: Config; dirs: [string, string][] }>();

function dirStamp(dir: string): string {
  try {
    const st = statSync(dir);
    return `${st.mtimeMs} ${st.ino}`;
  } catch {
    return 'none';
  }
}

function subdirectories(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [dir];
  }
  return [dir, ...entries.filter((e) => e.isDirectory() && e.name !== 'node_modules').flatMap((e) => subdirectories(join(dir, e.name)))];
}

/** Parsed source files by name, reused while their text and parse options are the same. */
const sourceCache = new Map<string, { text: string; key: string; sf: ts.SourceFile }>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  host.getSourceFile = (fileName, langOrOptions, onError) => {
    let text: string;
    try {
      text = readFileSync(fileName, 'utf8');
    } catch (e) {
      onError?.((e as Error).message);
      return undefined;
    }
    const key = JSON.stringify(langOrOptions);
    const hit = sourceCache.get(fileName);
    if (hit && hit.text === text && hit.key === key) return hit.sf;
    const sf = ts.createSourceFile(fileName, text, langOrOptions, true);
    (sf as ts.SourceFile & { version: string }).version = hash(text); // what the builder compares with the build info
    sourceCache.set(fileName, { text, key, sf });
    return sf;
  };
  host.writeFile = (fileName, text) => {
    try {
      writeAtomically(fileName, text); // the build info only (noEmit)
    } catch {
      // a read-only cache: the next build checks everything again
    }
  };
  return host;
}

export function loadProgram(dirOrConfig: string): Program {
  return loadPrograms([dirOrConfig])[0];
}

/**
 * Loads several programs. Those whose tsconfigs have the same compiler options (the kernel and its
 * user programs) become one TypeScript program, type-checked once, as `tsc -p` of a tsconfig
 * listing them all would; each keeps its own files (its roots and what they import) and the
 * TypeScript errors found in them. This needs every source file to be a module: scripts would
 * share one global scope and see each other's declarations, so such programs load on their own.
 */
export function loadPrograms(dirsOrConfigs: string[]): Program[] {
  const configs = dirsOrConfigs.map((d) => {
    const tsconfig = findTsconfig(d);
    return { tsconfig, ...readConfig(tsconfig) };
  });
  const groups = new Map<string, typeof configs>();
  for (const c of configs) {
    const { configFilePath: _, ...options } = c.options;
    const key = JSON.stringify(options);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const loaded = new Map<string, Program>();
  for (const group of groups.values()) {
    withinStack(group.flatMap((c) => c.rootNames), () => {
      const shared = createProgram(group[0].options, group.flatMap((c) => c.rootNames));
      const modules = shared.getProgram().getSourceFiles().every((f) => f.isDeclarationFile || ts.isExternalModule(f));
      const checked = modules || group.length === 1 ? checkProgram(shared) : undefined;
      for (const c of group) {
        const own = checked ?? checkProgram(createProgram(c.options, c.rootNames));
        loaded.set(c.tsconfig, programOf(c.tsconfig, own, c.rootNames));
      }
    });
  }
  return configs.map((c) => loaded.get(c.tsconfig)!);
}

/**
 * Runs TypeScript's (or the compiler's) work on a program; should it overflow the JavaScript
 * stack on deeply nested input, reports TSK3012 at the deepest point of the program's sources
 * instead (see nesting.ts).
 */
export function withinStack<T>(rootNames: string[], work: () => T): T {
  const cachedBefore = new Set(sourceCache.keys());
  try {
    return work();
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    // The program's files: its roots, and the files it imported that were first parsed just now.
    const texts = new Map<string, string>();
    for (const f of rootNames) if (!f.endsWith('.d.ts') && existsSync(f)) texts.set(f, readFileSync(f, 'utf8'));
    for (const [f, c] of sourceCache) if (!cachedBefore.has(f) && !f.endsWith('.d.ts')) texts.set(f, c.text);
    throw new UserError([overflowDiagnostic(texts)]);
  }
}

interface Checked {
  program: ts.Program;
  diagnostics: readonly ts.Diagnostic[];
}

type Builder = ts.EmitAndSemanticDiagnosticsBuilderProgram;

function createProgram(options: ts.CompilerOptions, rootNames: string[]): Builder {
  const roots = [...new Set(rootNames)];
  const tsBuildInfoFile = join(CACHE_DIR, 'tsbuildinfo', `${hash(JSON.stringify([options, [...roots].sort()]))}.json`);
  const incremental = { ...options, incremental: true, tsBuildInfoFile };
  const host = cachingHost(incremental);
  // In a long-lived process (make watch) the last program is the old one TypeScript reuses, as
  // tsc --watch does; otherwise the build info on disk.
  const old = lastBuilders.get(tsBuildInfoFile) ?? ts.readBuilderProgram(incremental, host);
  const builder = ts.createEmitAndSemanticDiagnosticsBuilderProgram(roots, incremental, host, old);
  lastBuilders.delete(tsBuildInfoFile);
  lastBuilders.set(tsBuildInfoFile, builder);
  // A few, not every program a test process ever loaded: each holds its whole program.
  for (const k of lastBuilders.keys()) if (lastBuilders.size > 4) lastBuilders.delete(k);
  return builder;
}

const lastBuilders = new Map<string, Builder>();

/**
 * TypeScript's errors (getPreEmitDiagnostics' list), re-checking only what changed since the last
 * build. A program nested too deeply is refused before TypeScript checks it (nesting.ts).
 */
function checkProgram(b: Builder): Checked {
  const own = b.getProgram().getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  const deep = nestingDiagnostics(own);
  if (deep.length) throw new UserError(deep);
  const diagnostics = ts.sortAndDeduplicateDiagnostics([
    ...b.getConfigFileParsingDiagnostics(), ...b.getOptionsDiagnostics(), ...b.getSyntacticDiagnostics(),
    ...b.getGlobalDiagnostics(), ...b.getSemanticDiagnostics(),
  ]);
  b.emit(); // with noEmit, writes the build info only: these results, for the next build
  return { program: b.getProgram(), diagnostics };
}

const CACHE_DIR = packageCacheDir(createRequire(import.meta.url).resolve('@ts-morph/common/dist/typescript.js')) ?? join(tmpdir(), 'scarlett-os');

function hash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** One tsconfig's view of a (possibly shared) program: its roots, their imports, their errors. */
function programOf(tsconfig: string, c: Checked, rootNames: string[]): Program {
  const checker = c.program.getTypeChecker();
  const own = reachable(c.program, checker, rootNames);
  const files = [...own]
    .filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'))
    .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  const tsDiagnostics = c.diagnostics.filter((d) => !d.file || own.has(d.file)).map(convertTsDiagnostic);
  return { tsconfig, program: c.program, checker, files, tsDiagnostics };
}

/** The root files and every file they import, directly or not. */
function reachable(program: ts.Program, checker: ts.TypeChecker, rootNames: string[]): Set<ts.SourceFile> {
  const seen = new Set<ts.SourceFile>();
  const work = rootNames.map((n) => program.getSourceFile(n)).filter((f) => f !== undefined);
  for (let sf = work.pop(); sf; sf = work.pop()) {
    if (seen.has(sf)) continue;
    seen.add(sf);
    for (const stmt of sf.statements) {
      const spec = ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt) ? stmt.moduleSpecifier : undefined;
      const target = spec && checker.getSymbolAtLocation(spec)?.valueDeclaration;
      if (target && ts.isSourceFile(target)) work.push(target);
    }
  }
  return seen;
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
