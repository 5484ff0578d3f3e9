// A reference point for the build-time benchmark: how long TypeScript 6 (the JavaScript compiler
// that ts-morph bundles, and so the checker our front end runs on) takes to type-check a project
// by itself. Prints {"import": ms, "check": ms, "diagnostics": n} for the tsconfig given.
//   node tests/bench/ts6-check.mjs kernel-src/tsconfig.json

const t0 = performance.now();
const { ts } = await import('ts-morph');
const t1 = performance.now();
const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} };
const cfg = ts.getParsedCommandLineOfConfigFile(process.argv[2], {}, host);
const program = ts.createProgram(cfg.fileNames, cfg.options);
const diagnostics = ts.getPreEmitDiagnostics(program).length;
console.log(JSON.stringify({ import: t1 - t0, check: performance.now() - t1, diagnostics }));
