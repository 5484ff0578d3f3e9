// What TypeScript 7's native API (typescript/unstable/sync) costs for what our front end needs from
// a checker: open the kernel's project, its errors, every source file's AST, and the type of every
// identifier (lowering asks about most of them), batched into one call per file. Prints JSON (ms).
//   node tests/bench/ts7-api.mjs kernel-src/tsconfig.json
import { resolve } from 'node:path';
import { API } from 'typescript/unstable/sync';
import { isIdentifier } from 'typescript/unstable/ast/is';

const tsconfig = resolve(process.argv[2] ?? 'kernel-src/tsconfig.json');
const t = { start: performance.now() };
const lap = (name) => (t[name] = performance.now());
const api = new API();
const snapshot = api.updateSnapshot({ openProjects: [tsconfig] });
const project = snapshot.getProject(tsconfig);
lap('open');
const diags = project.program.getSemanticDiagnostics();
lap('check');
const files = project.program.getSourceFileNames().filter((f) => !f.endsWith('.d.ts'));
const asts = files.map((f) => project.program.getSourceFile(f));
lap('asts');
let nodes = 0;
for (const sf of asts) {
  const ids = [];
  const visit = (n) => {
    if (isIdentifier(n)) ids.push(n);
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  nodes += ids.length;
  project.checker.getTypeAtLocation(ids);
}
lap('types');
api.close();
const keys = Object.keys(t);
const out = { files: files.length, identifiers: nodes, diagnostics: diags.length };
for (let i = 1; i < keys.length; i++) out[keys[i]] = Math.round(t[keys[i]] - t[keys[i - 1]]);
out.total = Math.round(t[keys.at(-1)] - t.start);
console.log(JSON.stringify(out));
