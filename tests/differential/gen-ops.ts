// Generates the operator and conversion conformance programs: tests/conformance/ops/*.ts and
// tests/conformance/conv/*.ts, one per operator (group) and integer type, over boundary values.
//
// The expected output of each program is computed here with BigInt (wrap = BigInt.asIntN/asUintN)
// and checked, before anything is written, against gcc: the same loops as a C program
// (-fwrapv, shifts masked explicitly) must print the same lines. The 32-bit-and-narrower programs
// are also run under node by the conformance test (through tests/differential/shim.ts), a third
// opinion. Run:  npx vite-node tests/differential/gen-ops.ts
// The generated files are committed; rerun only when this generator changes.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', 'conformance');

interface IntType { name: string; bits: number; signed: boolean; c: string }
const TYPES: IntType[] = [
  { name: 'i8', bits: 8, signed: true, c: 'int8_t' },
  { name: 'u8', bits: 8, signed: false, c: 'uint8_t' },
  { name: 'i16', bits: 16, signed: true, c: 'int16_t' },
  { name: 'u16', bits: 16, signed: false, c: 'uint16_t' },
  { name: 'i32', bits: 32, signed: true, c: 'int32_t' },
  { name: 'u32', bits: 32, signed: false, c: 'uint32_t' },
  { name: 'i64', bits: 64, signed: true, c: 'int64_t' },
  { name: 'u64', bits: 64, signed: false, c: 'uint64_t' },
];
const BOOL_T: IntType = { name: 'bool', bits: 1, signed: false, c: '_Bool' };

const wrap = (t: IntType, v: bigint) => (t.signed ? BigInt.asIntN(t.bits, v) : BigInt.asUintN(t.bits, v));
const min = (t: IntType) => (t.signed ? -(1n << BigInt(t.bits - 1)) : 0n);
const max = (t: IntType) => (t.signed ? (1n << BigInt(t.bits - 1)) - 1n : (1n << BigInt(t.bits)) - 1n);

/** Boundary values: 0, 1, -1, 2, MIN, MIN+1, MAX, MAX-1, and one ordinary value. */
function values(t: IntType): bigint[] {
  const mid = t.bits === 8 ? 100n : t.bits === 16 ? 1000n : t.bits === 32 ? 100000n : 0x100000000n;
  const vs = t.signed
    ? [0n, 1n, -1n, 2n, min(t), min(t) + 1n, max(t), max(t) - 1n, -7n, mid]
    : [0n, 1n, 2n, max(t) >> 1n, (max(t) >> 1n) + 1n, max(t) - 1n, max(t), mid];
  return vs;
}

/** Shift counts: around each width that matters, plus -1 / MAX of the count's own type. */
function counts(t: IntType): bigint[] {
  const cs = [0n, 1n, 7n, 8n, 15n, 16n, 31n, 32n, 33n, 63n, 64n].filter((c) => c <= max(t));
  cs.push(t.signed ? -1n : max(t));
  return cs;
}

function lit(t: IntType, v: bigint): string {
  if (!t.signed && v > 0xffffn) return '0x' + v.toString(16).toUpperCase();
  return v.toString();
}

function cLit(t: IntType, v: bigint): string {
  if (t.bits === 64 && v === min(t)) return `(-${max(t)}LL - 1)`;
  if (t.bits === 32 && v === min(t)) return `(-${max(t)} - 1)`;
  return v.toString() + (t.bits === 64 ? (t.signed ? 'LL' : 'ULL') : t.signed ? '' : 'U');
}

const cFmt = (t: IntType) => (t.signed ? '%lld' : '%llu');
const cCast = (t: IntType, e: string) => (t.signed ? `(long long)(${e})` : `(unsigned long long)(${e})`);

interface BinOp {
  file: string;
  sym: string;
  what: string;
  counts?: boolean; // right operand from the shift-count table
  skip?: (t: IntType, a: bigint, b: bigint) => boolean;
  ts: (t: IntType) => string; // the TS expression over a, b (already converted back to T)
  c: (t: IntType) => string; // the same in C, over a, b of type T
  eval: (t: IntType, a: bigint, b: bigint) => bigint;
  cmp?: boolean;
}

// 32-bit-and-narrower values are shifted as 32-bit values, 64-bit ones as 64-bit.
const wide = (t: IntType) => (t.bits === 64 ? 64 : 32);
const mask = (t: IntType) => BigInt(wide(t) - 1);
const u32c = (t: IntType) => (t.bits === 64 ? 'uint64_t' : 'uint32_t');
const s32c = (t: IntType) => (t.bits === 64 ? 'int64_t' : 'int32_t');
const divTraps = (t: IntType, a: bigint, b: bigint) => b === 0n || (t.bits >= 32 && t.signed && a === min(t) && b === -1n);

const BIN: BinOp[] = [
  { file: 'add', sym: '+', what: 'addition wraps at the type width', ts: (t) => `${t.name}(a + b)`, c: (t) => `(${t.c})(a + b)`, eval: (t, a, b) => wrap(t, a + b) },
  { file: 'sub', sym: '-', what: 'subtraction wraps at the type width', ts: (t) => `${t.name}(a - b)`, c: (t) => `(${t.c})(a - b)`, eval: (t, a, b) => wrap(t, a - b) },
  { file: 'mul', sym: '*', what: 'multiplication keeps the low bits of the product', ts: (t) => `${t.name}(a * b)`, c: (t) => `(${t.c})((${u32c(t)})a * (${u32c(t)})b)`, eval: (t, a, b) => wrap(t, a * b) },
  { file: 'div', sym: '/', what: 'division truncates toward zero (pairs that trap are left out)', skip: divTraps, ts: (t) => `${t.name}(a / b)`, c: (t) => `(${t.c})(a / b)`, eval: (t, a, b) => wrap(t, a / b) },
  { file: 'rem', sym: '%', what: 'remainder takes the sign of the dividend (pairs that trap are left out)', skip: divTraps, ts: (t) => `${t.name}(a % b)`, c: (t) => `(${t.c})(a % b)`, eval: (t, a, b) => wrap(t, a % b) },
  { file: 'and', sym: '&', what: 'bitwise and', ts: (t) => `${t.name}(a & b)`, c: (t) => `(${t.c})(a & b)`, eval: (t, a, b) => wrap(t, a & b) },
  { file: 'or', sym: '|', what: 'bitwise or', ts: (t) => `${t.name}(a | b)`, c: (t) => `(${t.c})(a | b)`, eval: (t, a, b) => wrap(t, a | b) },
  { file: 'xor', sym: '^', what: 'bitwise xor', ts: (t) => `${t.name}(a ^ b)`, c: (t) => `(${t.c})(a ^ b)`, eval: (t, a, b) => wrap(t, a ^ b) },
  {
    file: 'shl', sym: '<<', what: 'left shift; the count is masked to 31 (64-bit: 63)', counts: true,
    ts: (t) => `${t.name}(a << b)`,
    c: (t) => `(${t.c})((${u32c(t)})(${s32c(t)})a << (b & ${mask(t)}))`,
    eval: (t, a, b) => wrap(t, a << (b & mask(t))),
  },
  {
    file: 'shr', sym: '>>', what: '>> is arithmetic for signed, logical for unsigned; count masked', counts: true,
    ts: (t) => `${t.name}(a >> b)`,
    c: (t) => `(${t.c})(a >> (b & ${mask(t)}))`,
    eval: (t, a, b) => wrap(t, a >> (b & mask(t))),
  },
  {
    file: 'ushr', sym: '>>>', what: '>>> is logical on the 32-bit (64-bit) value, then wraps to the type', counts: true,
    ts: (t) => `${t.name}(a >>> b)`,
    c: (t) => `(${t.c})((${u32c(t)})(${s32c(t)})a >> (b & ${mask(t)}))`,
    eval: (t, a, b) => wrap(t, BigInt.asUintN(wide(t), a) >> (b & mask(t))),
  },
];

const CMP = [
  { sym: '==', c: '==', f: (a: bigint, b: bigint) => a === b },
  { sym: '!=', c: '!=', f: (a: bigint, b: bigint) => a !== b },
  { sym: '<', c: '<', f: (a: bigint, b: bigint) => a < b },
  { sym: '<=', c: '<=', f: (a: bigint, b: bigint) => a <= b },
  { sym: '>', c: '>', f: (a: bigint, b: bigint) => a > b },
  { sym: '>=', c: '>=', f: (a: bigint, b: bigint) => a >= b },
];

interface Program { dir: string; name: string; ts: string; c: string; expect: string[] }

// Why a program cannot run under node (first line `// node: skip` ...), or undefined if it can.
function nodeSkip(t: IntType, op: string): string | undefined {
  if (t.bits === 64) return 'node: skip -- 64-bit values are not exact in JS numbers';
  if (op === 'mul' && t.bits === 32) return 'node: skip -- 32x32-bit products exceed 2^53, not exact in JS';
  if (op === 'shr' && t.name === 'u32') return 'node: skip -- JS >> is arithmetic on u32 values >= 2^31; the language\'s >> on unsigned is logical';
  return undefined;
}

function header(skip: string | undefined, what: string): string {
  return (skip ? `// ${skip}\n` : '') +
    `// ${what}.\n// Generated by tests/differential/gen-ops.ts (expected output checked against gcc): do not edit.\n` +
    `import { print } from "../lib/print";\n\n`;
}

function table(t: IntType, name: string, vs: bigint[]): string {
  return `const ${name}: ${t.name}[] = [${vs.map((v) => lit(t, v)).join(', ')}];\n`;
}

function cTable(t: IntType, name: string, vs: bigint[]): string {
  return `  static const ${t.c} ${name}[] = {${vs.map((v) => cLit(t, v)).join(', ')}};\n`;
}

function binProgram(op: BinOp, t: IntType): Program {
  const A = values(t);
  const B = op.counts ? counts(t) : values(t);
  const expect: string[] = [];
  for (const a of A) for (const b of B) {
    if (op.skip?.(t, a, b)) continue;
    expect.push(`${a} ${op.sym} ${b} = ${op.eval(t, a, b)}`);
  }
  const skipTs = op.skip
    ? `      if (b == 0${t.bits >= 32 && t.signed ? ` || (a == ${lit(t, min(t))} && b == -1)` : ''}) continue;\n`
    : '';
  const skipC = op.skip
    ? `      if (b == 0${t.bits >= 32 && t.signed ? ` || (a == ${cLit(t, min(t))} && b == -1)` : ''}) continue;\n`
    : '';
  const ts = header(nodeSkip(t, op.file), `${op.sym} on ${t.name}: ${op.what}`) +
    table(t, 'A', A) + table(t, 'B', B) + '\n' +
    `export function main(): void {\n` +
    `  for (let i = 0; i < A.length; i++) {\n` +
    `    for (let j = 0; j < B.length; j++) {\n` +
    `      const a = A[i];\n      const b = B[j];\n` + skipTs +
    `      print(\`\${a} ${op.sym} \${b} = \${${op.ts(t)}}\`);\n` +
    `    }\n  }\n}\n`;
  const c = `#include <stdio.h>\n#include <stdint.h>\nint main(void) {\n` + cTable(t, 'A', A) + cTable(t, 'B', B) +
    `  for (unsigned i = 0; i < sizeof A / sizeof A[0]; i++)\n    for (unsigned j = 0; j < sizeof B / sizeof B[0]; j++) {\n` +
    `      ${t.c} a = A[i], b = B[j];\n` + skipC +
    `      printf("${cFmt(t)} ${op.sym.replace("%", "%%")} ${cFmt(t)} = ${cFmt(t)}\\n", ${cCast(t, 'a')}, ${cCast(t, 'b')}, ${cCast(t, op.c(t))});\n` +
    `    }\n  return 0;\n}\n`;
  return { dir: 'ops', name: `${op.file}_${t.name}`, ts, c, expect };
}

function cmpProgram(t: IntType): Program {
  const V = values(t);
  const expect: string[] = [];
  for (const a of V) for (const b of V)
    expect.push(`${a} ${b}: ` + CMP.map((o) => `${o.sym} ${o.f(a, b) ? 1 : 0}`).join(' '));
  const holes = CMP.map((o) => `${o.sym} \${u32(a ${o.sym} b)}`).join(' ');
  const ts = header(nodeSkip(t, 'cmp'), `comparisons on ${t.name} (${t.signed ? 'signed' : 'unsigned'}); bool printed as 0/1`) +
    table(t, 'V', V) + '\n' +
    `export function main(): void {\n  for (let i = 0; i < V.length; i++) {\n    for (let j = 0; j < V.length; j++) {\n` +
    `      const a = V[i];\n      const b = V[j];\n` +
    `      print(\`\${a} \${b}: ${holes}\`);\n    }\n  }\n}\n`;
  const cHoles = CMP.map((o) => `${o.sym} %d`).join(' ');
  const c = `#include <stdio.h>\n#include <stdint.h>\nint main(void) {\n` + cTable(t, 'V', V) +
    `  for (unsigned i = 0; i < sizeof V / sizeof V[0]; i++)\n    for (unsigned j = 0; j < sizeof V / sizeof V[0]; j++) {\n` +
    `      ${t.c} a = V[i], b = V[j];\n` +
    `      printf("${cFmt(t)} ${cFmt(t)}: ${cHoles}\\n", ${cCast(t, 'a')}, ${cCast(t, 'b')}, ${CMP.map((o) => `a ${o.c} b`).join(', ')});\n` +
    `    }\n  return 0;\n}\n`;
  return { dir: 'ops', name: `cmp_${t.name}`, ts, c, expect };
}

function unaryProgram(t: IntType): Program {
  const V = values(t);
  const expect = V.map((a) => `${a}: -${wrap(t, -a)} ~${wrap(t, ~a)} !${a === 0n ? 1 : 0}`);
  const ts = header(nodeSkip(t, 'unary'), `unary -, ~ and ! on ${t.name}: negation wraps (-MIN == MIN)`) +
    table(t, 'V', V) + '\n' +
    `export function main(): void {\n  for (let i = 0; i < V.length; i++) {\n    const a = V[i];\n` +
    `    print(\`\${a}: -\${${t.name}(-a)} ~\${${t.name}(~a)} !\${u32(!a)}\`);\n  }\n}\n`;
  const c = `#include <stdio.h>\n#include <stdint.h>\nint main(void) {\n` + cTable(t, 'V', V) +
    `  for (unsigned i = 0; i < sizeof V / sizeof V[0]; i++) {\n    ${t.c} a = V[i];\n` +
    `    printf("${cFmt(t)}: -${cFmt(t)} ~${cFmt(t)} !%d\\n", ${cCast(t, 'a')}, ${cCast(t, `(${t.c})(0 - (${u32c(t)})a)`)}, ${cCast(t, `(${t.c})~a`)}, !a);\n` +
    `  }\n  return 0;\n}\n`;
  return { dir: 'ops', name: `unary_${t.name}`, ts, c, expect };
}

/** Conversions from one type's boundary values to every type (narrow targets or wide targets). */
function convProgram(s: IntType, targets: IntType[], kind: string): Program {
  const V = values(s);
  const evalT = (t: IntType, v: bigint) => (t === BOOL_T ? (v !== 0n ? 1n : 0n) : wrap(t, v));
  const expect = V.map((v) => `${v}: ` + targets.map((t) => `${t.name} ${evalT(t, v)}`).join(' '));
  const holes = targets.map((t) => (t === BOOL_T ? `bool \${u32(bool(v))}` : `${t.name} \${${t.name}(v)}`)).join(' ');
  const nodeOk = s.bits <= 32 && (kind === 'narrow' || !s.signed);
  const ts = header(nodeOk ? undefined : 'node: skip -- 64-bit values are not exact in JS numbers',
    `explicit conversions from ${s.name} to ${kind === 'narrow' ? 'the 8-to-32-bit types and bool' : 'the 64-bit types'}: truncate, or extend by the source's signedness`) +
    table(s, 'V', V) + '\n' +
    `export function main(): void {\n  for (let i = 0; i < V.length; i++) {\n    const v = V[i];\n` +
    `    print(\`\${v}: ${holes}\`);\n  }\n}\n`;
  const cHoles = targets.map((t) => `${t.name} ${t === BOOL_T ? '%d' : cFmt(t)}`).join(' ');
  const cArgs = targets.map((t) => (t === BOOL_T ? '(_Bool)v' : cCast(t, `(${t.c})v`))).join(', ');
  const c = `#include <stdio.h>\n#include <stdint.h>\nint main(void) {\n` + cTable(s, 'V', V) +
    `  for (unsigned i = 0; i < sizeof V / sizeof V[0]; i++) {\n    ${s.c} v = V[i];\n` +
    `    printf("${cFmt(s)}: ${cHoles}\\n", ${cCast(s, 'v')}, ${cArgs});\n  }\n  return 0;\n}\n`;
  return { dir: 'conv', name: `${kind}_from_${s.name}`, ts, c, expect };
}

function programs(): Program[] {
  const ps: Program[] = [];
  for (const t of TYPES) {
    for (const op of BIN) ps.push(binProgram(op, t));
    ps.push(cmpProgram(t), unaryProgram(t));
    ps.push(convProgram(t, [...TYPES.slice(0, 6), BOOL_T], 'narrow'));
    ps.push(convProgram(t, [TYPES[6], TYPES[7]], 'wide'));
  }
  return ps;
}

function checkWithGcc(p: Program, dir: string): void {
  const src = join(dir, `${p.name}.c`);
  const exe = join(dir, p.name);
  writeFileSync(src, p.c);
  execFileSync('gcc', ['-O0', '-fwrapv', '-w', '-o', exe, src]);
  const got = execFileSync(exe, { encoding: 'utf8' });
  const want = p.expect.join('\n') + '\n';
  if (got !== want) throw new Error(`${p.dir}/${p.name}: gcc disagrees with the BigInt expectation\n--- gcc\n${got}\n--- here\n${want}`);
}

function main(): void {
  const tmp = mkdtempSync(join(tmpdir(), 'gen-ops-'));
  for (const p of programs()) {
    checkWithGcc(p, tmp);
    mkdirSync(join(ROOT, p.dir), { recursive: true });
    writeFileSync(join(ROOT, p.dir, `${p.name}.ts`), p.ts + `\n/* expect:\n${p.expect.join('\n')}\n*/\n`);
  }
  console.log(`wrote ${programs().length} programs (each checked against gcc)`);
}

main();
