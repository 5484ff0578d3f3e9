// Generated large and deep programs for tests/large-input.test.ts and the scaling benchmark.
// Each generator returns the source of one module (main.ts) that TypeScript accepts; the sizes
// come from issue 9 (inputs that used to overflow the stack or take minutes).

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

/** n straight-line `if` statements: one dominator-tree level each. (TypeScript's flow analysis
 *  gives up, TS2563, on a local or parameter read after 2,000 branches; a call and a global do not.) */
export function ifChain(n: number): string {
  return `declare function rt_exit(code: i32): void;
let s: u32 = 0;
function three(): u32 { return 3; }
function bump(): void { s++; }
function f(): void {
${lines(n, (i) => `  if (three() > ${i}) bump();`)}
}
export function main(): void { f(); rt_exit(i32(s % 256)); }
`;
}

/** One switch with n cases. */
export function bigSwitch(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): u32 {
  switch (x) {
${lines(n, (i) => `    case ${i}: return ${(i * 7) % 251};`)}
    default: return 1;
  }
}
export function main(): void { rt_exit(i32(f(${n - 1}))); }
`;
}

/** n loops one after the other. */
export function sequentialLoops(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): u32 {
  let s: u32 = 0;
${lines(n, (i) => `  for (let i${i}: u32 = 0; i${i} < x; i${i}++) s += ${i % 5};`)}
  return s;
}
export function main(): void { rt_exit(i32(f(1) % 256)); }
`;
}

/** A string literal of n bytes (printable ASCII). */
export function bigString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + (i % 26));
  return `declare function rt_exit(code: i32): void;
const S = "${s}";
export function main(): void { rt_exit(i32(S.length % 256) + i32(load<u8>(changetype<usize>(S) + ${n - 1}))); }
`;
}

/** A module-level constant table of n u32 elements. */
export function bigTable(n: number): string {
  return `declare function rt_exit(code: i32): void;
const T: u32[] = [${Array.from({ length: n }, (_, i) => (i * 2654435761) % 4294967296).join(', ')}];
export function main(): void { rt_exit(i32(T[${n - 1}] % 256)); }
`;
}

/** Zeroed module-level storage of n bytes: .bss, which needs only its size. */
export function zeroed(n: number): string {
  return `declare function rt_exit(code: i32): void;
let buf!: InlineArray<u8, ${n}>;
export function main(): void {
  buf[${n - 1}] = 7;
  rt_exit(i32(buf[${n - 1}]) + i32(buf[0]));
}
`;
}

/** a + a + ... + a with n operands. */
export function flatSum(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(a: u32): u32 { return ${Array(n).fill('a').join(' + ')}; }
export function main(): void { rt_exit(i32(f(1) % 256)); }
`;
}

/** A ternary nested n deep: x == 0 ? 0 : x == 1 ? 1 : ... */
export function nestedTernary(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): u32 { return ${lines(n, (i) => `x == ${i} ? ${i % 200} :`).replace(/\n/g, ' ')} 255; }
export function main(): void { rt_exit(i32(f(${n - 1}))); }
`;
}

/** An else-if chain n long. */
export function elseIfChain(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): u32 {
  ${lines(n, (i) => `if (x == ${i}) return ${i % 200}; else`)}
  return 255;
}
export function main(): void { rt_exit(i32(f(${n - 1}))); }
`;
}

/** n structs, each embedding the previous one by value. */
export function nestedStructs(n: number): string {
  return `declare function rt_exit(code: i32): void;
class S0 { v: u32 = 0; }
${lines(n - 1, (i) => `class S${i + 1} { inner!: Inline<S${i}>; w: u32 = 0; }`)}
let g!: Inline<S${n - 1}>;
export function main(): void { rt_exit(i32(sizeof<S${n - 1}>() % 256)); }
`;
}

/** An expression in n nested parentheses. */
export function nestedParens(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): u32 { return ${'('.repeat(n)}x${')'.repeat(n)}; }
export function main(): void { rt_exit(i32(f(5))); }
`;
}

/** n nested calls g(g(...g(x))). */
export function nestedCalls(n: number): string {
  return `declare function rt_exit(code: i32): void;
function g(x: u32): u32 { return x + 1; }
function f(x: u32): u32 { return ${'g('.repeat(n)}x${')'.repeat(n)}; }
export function main(): void { rt_exit(i32(f(0) % 256)); }
`;
}

/** n nested blocks { { ... } }. */
export function nestedBlocks(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): u32 { let s: u32 = x; ${'{ s++; '.repeat(n)}${'}'.repeat(n)} return s; }
export function main(): void { rt_exit(i32(f(0) % 256)); }
`;
}

/** x == 0 || x == 1 || ... n operands. */
export function orChain(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): bool { return ${Array.from({ length: n }, (_, i) => `x == ${i + 1}`).join(' || ')}; }
export function main(): void { rt_exit(f(${n}) ? 1 : 0); }
`;
}

/** n for loops, each inside the previous one. */
export function nestedLoops(n: number): string {
  return `declare function rt_exit(code: i32): void;
function f(x: u32): u32 {
  let s: u32 = 0;
${lines(n, (i) => `${' '.repeat(Math.min(i, 40))}for (let i${i}: u32 = 0; i${i} < x; i${i}++)`)}
  s++;
  return s;
}
export function main(): void { rt_exit(i32(f(1))); }
`;
}
