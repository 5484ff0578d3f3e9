// The random differential test of the assembler against GNU as: a seeded generator of assembly
// lines over the instruction table (every mnemonic of isa.ts, every operand kind of its forms, with
// some operands swapped for a wrong kind), memory operands in every addressing form, prefixes,
// constant expressions and data directives, plus forms from GNU as's repertoire that the table
// may lack. `runDifferential` assembles each line with GNU as and with ours and sorts the outcome:
//   - GNU as accepts, we encode the same bytes and relocations: agree
//   - GNU as accepts, we encode something else: mismatch (a bug)
//   - GNU as accepts, we refuse with a diagnostic: refusal (allowed, counted)
//   - GNU as rejects, we accept: wrongly accepted (a bug)
// Each line gets its own section so that one `as` run covers thousands of lines and the bytes and
// relocations of every line can be told apart.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BY_MNEMONIC, REGS, type Kind } from '../../compiler/asm/isa.js';
import { parseAtt } from '../../compiler/asm/att.js';
import { assemble } from '../../compiler/asm/assemble.js';
import { UserError, type Diagnostic } from '../../linker/diag.js';
import { writeRelocatable } from '../../linker/elfobj.js';
import { readElf, type ElfObject } from './elf.js';

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Symbols every line may use: defined in .data (local and global), a constant, and an undefined one. */
export const PRELUDE = [
  '\t.data',
  'sym:\t.quad 0',
  '\t.globl gsym',
  'gsym:\t.quad 0',
  '\t.set cst, 0x1234',
  '\t.set big, 0x123456789',
  '\t.text',
  '',
].join('\n');

const gprs = (size: number) => [...REGS].filter(([, r]) => r.cls === 'gpr' && r.size === size).map(([n]) => `%${n}`);
const REG_BY_SIZE: Record<number, string[]> = { 8: gprs(8), 16: gprs(16), 32: gprs(32), 64: gprs(64) };
const SREGS = ['%es', '%cs', '%ss', '%ds', '%fs', '%gs'];
const CRS = [...REGS].filter(([, r]) => r.cls === 'cr').map(([n]) => `%${n}`);
const DRS = [...REGS].filter(([, r]) => r.cls === 'dr').map(([n]) => `%${n}`);
const XMMS = Array.from({ length: 16 }, (_, i) => `%xmm${i}`);

/** Constants at the edges of every width, both signs, and past 2^63. */
const EDGE = [
  '0', '1', '2', '3', '7', '-1', '-2', '127', '128', '-128', '-129', '255', '256', '0x7fff', '0x8000', '-0x8000', '-0x8001', '0xffff',
  '0x10000', '0x7fffffff', '0x80000000', '-0x80000000', '-0x80000001', '0xffffffff', '0x100000000', '0x123456789', '0x7fffffffffffffff',
  '0x8000000000000000', '0xffffffffffffffff', '0xfffffffffffffff0', '-0x7fffffffffffffff', '18446744073709551615', '9223372036854775808',
  '0b101', '017', "'a", 'cst', 'big',
];
const SHIFTS = ['0', '1', '4', '31', '32', '63', '64', '65', '100', '-1'];
const DIVISORS = ['0', '1', '2', '3', '7', '-2', '-3', '0x100000000', '0x8000000000000000', '16'];
const BINOPS = ['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '!', '<', '>', '<=', '>=', '==', '!=', '<>', '&&', '||'];

/** A constant expression tree of up to `depth` levels, printed in GNU syntax. */
export function constExpr(r: Rng, depth = 2): string {
  if (depth === 0 || r.chance(0.35)) return r.pick(EDGE);
  if (r.chance(0.15)) return `${r.pick(['-', '~', '!'])}${r.chance(0.5) ? '(' + constExpr(r, depth - 1) + ')' : r.pick(EDGE)}`;
  const op = r.pick(BINOPS);
  const left = constExpr(r, depth - 1);
  // GNU as 2.40 dies with a floating point exception on INT64_MIN / -1: never divide by -1.
  const right = op === '<<' || op === '>>' ? r.pick(SHIFTS) : op === '/' || op === '%' ? r.pick(DIVISORS) : constExpr(r, depth - 1);
  return `(${left} ${op} ${right})`;
}

/** An immediate value, without the `$`: a constant, a symbol (+ offset) or an expression. */
function immValue(r: Rng): string {
  const k = r.int(10);
  if (k < 5) return r.pick(EDGE);
  if (k < 7) return constExpr(r);
  return r.pick(['sym', 'gsym', 'ext', 'sym+8', 'ext-4', 'gsym+0x10', 'ext+0x80000000', 'sym-sym', '(1f-1b)', 'ext@GOTPCREL', 'ext@PLT']);
}

const DISPS = ['', '', '', '0', '8', '-8', '127', '128', '-128', '-129', '0x7fffffff', '-0x80000000', '0x80000000', '0xffffffff',
  '0xfffffffffffffff8', 'sym', 'sym+4', 'gsym', 'ext', 'ext-4', 'cst', '(cst*2)', 'ext@GOTPCREL'];
const BASE64 = ['%rax', '%rcx', '%rsp', '%rbp', '%r12', '%r13', '%r15', '%rsi'];
const BASE32 = ['%eax', '%ebx', '%esp', '%ebp', '%r12d', '%r13d', '%edi'];
const INDEX64 = ['%rax', '%rbx', '%rbp', '%r12', '%r13', '%r9', '%rsp'];
const INDEX32 = ['%eax', '%ebx', '%ebp', '%r12d', '%r9d', '%esp'];

/** A memory operand: optional segment, displacement, base, index, scale; RIP-relative; absolute. */
export function memOperand(r: Rng, mode: 32 | 64): string {
  const seg = r.chance(0.15) ? r.pick(SREGS) + ':' : '';
  const k = r.int(12);
  if (k === 0) return `${seg}${r.pick(['0x1234', '-4', '0x80000000', '0xffffffff', 'sym', 'ext+8', 'cst', '0x100000000', '0x1122334455667788'])}`;
  if (k === 1 && mode === 64) return `${seg}${r.pick(['sym', 'ext', 'gsym+8', 'ext-4', '0', '0x10', 'ext@GOTPCREL', '1f'])}(%rip)`;
  const wide = mode === 64 && r.chance(0.85);
  const disp = r.chance(0.15) ? constExpr(r, 1) : r.pick(DISPS);
  const base = r.chance(0.9) ? r.pick(wide ? BASE64 : BASE32) : '';
  if (r.chance(0.5)) {
    const index = r.pick(wide ? INDEX64 : INDEX32);
    const scale = r.chance(0.7) ? ',' + r.pick(['1', '2', '4', '8', '3']) : '';
    return `${seg}${disp}(${base},${index}${scale})`;
  }
  if (!base) return `${seg}${disp || '0'}`;
  return `${seg}${disp}(${base})`;
}

/** A branch target: a symbol, a symbol + offset, or a numeric local label before or after. */
function target(r: Rng): { text: string; before?: string; after?: string } {
  const k = r.int(6);
  if (k === 0) return { text: '1f', after: '1:' };
  if (k === 1) return { text: '1b', before: '1:' };
  if (k === 2) return { text: '2f', after: '.fill 200, 1, 0x90; 2:' }; // beyond rel8
  return { text: r.pick(['sym', 'gsym', 'ext', 'ext+4', 'sym+2', 'ext@PLT', 'gsym-8']) };
}

interface Operands {
  text: string[];
  before?: string;
  after?: string;
}

/** An operand of form kind `k`. */
function operand(r: Rng, k: Kind, mode: 32 | 64, out: Operands): string {
  switch (k) {
    case 'r8': case 'r16': case 'r32': case 'r64':
      return r.pick(REG_BY_SIZE[Number(k.slice(1))]);
    case 'rm8': case 'rm16': case 'rm32': case 'rm64':
      return r.chance(0.5) ? r.pick(REG_BY_SIZE[Number(k.slice(2))]) : memOperand(r, mode);
    case 'm':
      return memOperand(r, mode);
    case 'moffs':
      return r.pick(['0x1122334455667788', '0x1000', 'sym', 'ext', '%fs:0x28', '%ds:0x10', '-8', 'cst']);
    case 'one':
      return r.chance(0.7) ? '$1' : '$' + r.pick(EDGE);
    case 'three':
      return '$3';
    case 'al': case 'ax': case 'eax': case 'rax': case 'cl': case 'fs': case 'gs':
      return '%' + k;
    case 'dx':
      return r.chance(0.7) ? '%dx' : '(%dx)';
    case 'si':
      return r.pick(['(%rsi)', '%ds:(%rsi)', '%fs:(%rsi)', '(%esi)', '(%rdi)', '0(%rsi)']);
    case 'di':
      return r.pick(['(%rdi)', '%es:(%rdi)', '(%edi)', '%ds:(%rdi)', '(%rsi)']);
    case 'cr':
      return r.pick(CRS);
    case 'dr':
      return r.pick(DRS);
    case 'sreg':
      return r.pick(SREGS);
    case 'rel8': case 'rel32': {
      const t = target(r);
      out.before = t.before;
      out.after = t.after;
      return t.text;
    }
    default:
      return '$' + immValue(r);
  }
}

/** An operand of some other kind, to make lines GNU as should reject (or accept another form of). */
function wrongOperand(r: Rng, mode: 32 | 64): string {
  const k = r.int(7);
  if (k === 0) return r.pick(XMMS);
  if (k === 1) return r.pick([...SREGS, ...CRS, '%rip', '%eip']);
  if (k === 2) return '$' + immValue(r);
  if (k === 3) return memOperand(r, mode);
  return r.pick(REG_BY_SIZE[r.pick([8, 16, 32, 64])]);
}

/** Forms in GNU as's repertoire that kernel code writes, as templates: M memory, X xmm, Rn register. */
const EXTRA = [
  'fxsave M', 'fxrstor M', 'fxsave64 M', 'fxrstor64 M', 'xsave M', 'xrstor M', 'xsave64 M', 'xrstor64 M', 'xsaveopt M', 'xsaveopt64 M',
  'xsaveq M', 'clflush M', 'clflushopt M', 'prefetcht0 M', 'prefetcht1 M', 'prefetcht2 M', 'prefetchnta M', 'prefetchw M',
  'insb', 'insw', 'insl', 'outsb', 'outsw', 'outsl', 'rep insb', 'rep outsw', 'ins', 'outs', 'insb (%dx), %es:(%rdi)', 'outsl %ds:(%rsi), (%dx)',
  'in (%dx), %al', 'in (%dx), %ax', 'inl (%dx), %eax', 'out %al, (%dx)', 'outw %ax, (%dx)', 'in %dx, %eax', 'inb (%dx)',
  'movzb R8, R32', 'movzb M, R16', 'movzb M, R64', 'movzw R16, R32', 'movzw M, R64', 'movzb R8, R8', 'movzw M, R16',
  'movsb R8, R32', 'movsb M, R16', 'movsw R16, R64', 'movsw M, R32', 'movsl R32, R64', 'movsl M, R64', 'movsb M, R8', 'movsl M, R32',
  'movsx M, R32', 'movzx M, R64', 'movsx R8, R16', 'movsxd M, R64', 'movsbw M, R16', 'movzbq M, R64',
  'movdqa X, X', 'movdqa M, X', 'movdqa X, M', 'movdqu X, X', 'movdqu M, X', 'movdqu X, M', 'movaps X, X', 'movaps M, X', 'movaps X, M',
  'movups X, X', 'movups M, X', 'movups X, M', 'movq X, R64', 'movq R64, X', 'movq M, X', 'movq X, M', 'movq X, X', 'movd R32, X',
  'movd X, R32', 'movd M, X', 'movd X, M', 'movd R64, X', 'movq R32, X', 'movapd X, X', 'movupd M, X',
  'lgdtq M', 'lidtq M', 'sgdtq M', 'sidtq M', 'lgdtl M', 'lgdtw M', 'retw', 'retw $4', 'retl', 'leavew', 'leaveq', 'leavel', 'retq $8',
  'call ext@PLT', 'jmp ext@PLT', 'call gsym@PLT', 'movq ext@GOTPCREL(%rip), R64', 'movl ext@GOTPCREL(%rip), R32', 'addq ext@GOTPCREL(%rip), R64',
  'leaq ext@GOTPCREL(%rip), R64', 'call *ext@GOTPCREL(%rip)', 'jmp *ext@GOTPCREL(%rip)', 'pushq ext@GOTPCREL(%rip)',
  'callq ext', 'callq sym', 'jmpq ext', 'callq *R64', 'callq *M', 'jmpq *M', 'callq 1f; 1:', 'calll ext', 'callw ext',
  'xchgq %rax, %rax', 'xchgl %eax, %eax', 'xchgw %ax, %ax', 'xchg %rax, %rax', 'xchgq %rax, R64', 'xchgq R64, %rax',
  'inc M', 'add $1, M', 'mov $1, M', 'shl M', 'not M', 'bt $1, M', 'movs', 'lods', 'stos', 'scas', 'cmps', 'movsd', 'cmpsd',
  'push M', 'pop M', 'test $1, M', 'neg M', 'cmp $1, M', 'sar $3, M', 'nop M', 'imul $3, M, R32',
  'movb $0x1ff, R8', 'movw $0x10000, R16', 'movl $0x1ffffffff, R32', 'addb $0x100, R8', 'movb $-129, M', 'outb %al, $0x100',
  'int $0x100', 'pushw $0x10000', 'enter $8, $0', 'xlat', 'xlatb', 'cmpxchg16b M', 'rdrand R64', 'rdseed R32', 'rdfsbase R64',
  'wrgsbase R64', 'invpcid M, R64', 'lfence', 'ud1 M, R32', 'ud0 M, R32', 'endbr64', 'verr M', 'lsl M, R32', 'lar M, R32', 'smsw R32',
  'lmsw R16', 'invlpga', 'vmcall', 'pushfq', 'popfw', 'cmc', 'crc32b R8, R32', 'movbe M, R32', 'adcx R32, R32', 'sldt M', 'fninit',
];

function fillTemplate(r: Rng, t: string, mode: 32 | 64): string {
  return t
    .replace(/\bM\b/g, () => memOperand(r, mode))
    .replace(/\bX\b/g, () => r.pick(XMMS))
    .replace(/\bR(8|16|32|64)\b/g, (_, n) => r.pick(REG_BY_SIZE[Number(n)]));
}

const MNEMONICS = [...BY_MNEMONIC.keys()];
const LOCKED = ['lock ', 'rep ', 'repe ', 'repne ', 'repnz ', 'lock rep ', 'lock lock ', 'rep rep ', 'data16 ', 'addr32 ', 'data16 lock ', 'ds ', 'fs ', 'gs ', 'lock; '];

/** One instruction line from the table: a random form of a random mnemonic, sometimes perturbed. */
function tableLine(r: Rng, mode: 32 | 64): string {
  const mnem = r.pick(MNEMONICS);
  const ref = r.pick(BY_MNEMONIC.get(mnem)!);
  const ops: Operands = { text: [] };
  for (const k of ref.form.ops) ops.text.push(r.chance(0.08) ? wrongOperand(r, mode) : operand(r, k, mode, ops));
  // Memory operands written with `*`, as indirect branches take them.
  if (ops.text.length === 1 && ['call', 'jmp', 'ljmp', 'lcall'].some((b) => mnem.startsWith(b)) && ref.form.ops[0] !== 'rel8' && ref.form.ops[0] !== 'rel32' && r.chance(0.8))
    ops.text[0] = '*' + ops.text[0];
  const prefix = r.chance(0.12) ? r.pick(LOCKED) : '';
  // Drop or add an operand now and then.
  if (r.chance(0.03)) ops.text.pop();
  else if (r.chance(0.03)) ops.text.push(operand(r, 'r32', mode, ops));
  const body = `${prefix}${mnem}${ops.text.length ? ' ' + ops.text.join(', ') : ''}`;
  return [ops.before, body, ops.after].filter(Boolean).join('; ');
}

/** A data directive with constant expressions or symbols. */
function dataLine(r: Rng): string {
  const d = r.pick(['.byte', '.word', '.short', '.long', '.int', '.quad', '.2byte', '.4byte', '.8byte']);
  const n = 1 + r.int(3);
  const vals = Array.from({ length: n }, () => (r.chance(0.8) ? constExpr(r, 3) : r.pick(['sym', 'ext', 'sym+4', 'gsym-1', '.', 'sym-.', 'ext-.'])));
  return `${d} ${vals.join(', ')}`;
}

export interface TestLine {
  text: string;
  mode: 32 | 64;
}

/** `n` lines for `seed`: most from the table, some GNU-only forms, some data directives. */
export function generateLines(seed: number, n: number): TestLine[] {
  const r = new Rng(seed);
  const out: TestLine[] = [];
  for (let i = 0; i < n; i++) {
    const mode: 32 | 64 = r.chance(0.12) ? 32 : 64;
    const k = r.int(20);
    let text = k < 14 ? tableLine(r, mode) : k < 17 ? fillTemplate(r, r.pick(EXTRA), mode) : dataLine(r);
    // Numeric labels resolve across the whole file in GNU as: give every 1b and 1f its own 1: here.
    if (/\b1b\b/.test(text) && !text.startsWith('1:')) text = `1:; ${text}`;
    if (/\b1f\b/.test(text) && !text.endsWith('1:')) text = `${text}; 1:`;
    out.push({ text, mode });
  }
  return out;
}

export interface Outcome {
  line: TestLine;
  gnu: 'ok' | 'error';
  gnuMessage?: string;
  gnuWarning?: string;
  ours: 'ok' | 'error';
  ourMessage?: string;
  ourWarning?: string;
  diff?: string;
}

export interface Summary {
  lines: number;
  agree: number;
  bothReject: number;
  mismatches: Outcome[];
  refusals: Outcome[];
  wronglyAccepted: Outcome[];
  warningDiffs: Outcome[]; // GNU as warned and we did not, or the other way round (not counted as failures)
}

const sectionName = (i: number) => `.t${i}`;
const unitText = (l: TestLine, i: number) => `\t.section ${sectionName(i)},"ax",@progbits; .code${l.mode}; ${l.text}`;

/** GNU as on all lines at once: per line, the first error and warning. */
async function gnuRun(lines: TestLine[], keep: boolean[]): Promise<{ errors: Map<number, string>; warnings: Map<number, string>; obj?: ElfObject }> {
  const dir = mkdtempSync(join(tmpdir(), 'asmrand-'));
  try {
    const src = PRELUDE + lines.map((l, i) => (keep[i] ? unitText(l, i) : '')).join('\n') + '\n';
    const first = PRELUDE.split('\n').length;
    writeFileSync(join(dir, 'in.s'), src);
    const res = await execa('as', ['--64', '-o', join(dir, 'out.o'), join(dir, 'in.s')], { reject: false });
    const errors = new Map<number, string>();
    const warnings = new Map<number, string>();
    for (const m of res.stderr.matchAll(/^[^:\n]*:(\d+): (Error|Warning): (.*)$/gm)) {
      const i = Number(m[1]) - first;
      const map = m[2] === 'Error' ? errors : warnings;
      if (!map.has(i)) map.set(i, m[3]);
    }
    if (res.exitCode !== 0 && errors.size === 0) throw new Error(`GNU as failed without a line error: ${res.stderr}`);
    return { errors, warnings, obj: res.exitCode === 0 ? readElf(readFileSync(join(dir, 'out.o'))) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Our assembler on one line: its section's bytes and relocations, or the diagnostic. */
function ourRun(l: TestLine, i: number): { obj?: ElfObject; error?: string; warning?: string } {
  const src = PRELUDE + unitText(l, i) + '\n';
  const warnings: Diagnostic[] = [];
  try {
    const obj = assemble(parseAtt(src, 'rand.S', warnings), 'rand.S', warnings);
    const w = warnings.find((d) => d.severity === 'warning');
    return { obj: readElf(writeRelocatable(obj)), warning: w && `${w.code}: ${w.message}` };
  } catch (e) {
    if (e instanceof UserError) {
      const d = e.diagnostics.find((x) => x.severity !== 'warning')!;
      if (!d.loc) return { error: `(no source position) ${d.code}: ${d.message}` };
      return { error: `${d.code}: ${d.message}` };
    }
    throw new Error(`line '${l.text}': ${(e as Error).stack}`);
  }
}

const hex = (d: Uint8Array) => Array.from(d).map((b) => b.toString(16).padStart(2, '0')).join(' ');

function sectionOf(o: ElfObject, name: string): { bytes: string; relocs: string } {
  const s = o.sections.find((x) => x.name === name);
  const relocs = (o.relocs.get(name) ?? []).map((r) => `${r.offset}:${r.type}:${r.sym}${r.addend < 0n ? '' : '+'}${r.addend}`).join(' ');
  return { bytes: s ? hex(s.data) : '', relocs };
}

/** Runs every line through both assemblers and sorts the outcomes. */
export async function runDifferential(lines: TestLine[]): Promise<Summary> {
  const all = lines.map(() => true);
  const first = await gnuRun(lines, all);
  const accepted = lines.map((_, i) => !first.errors.has(i));
  const second = first.obj ? first : await gnuRun(lines, accepted);
  if (!second.obj) throw new Error(`GNU as rejected lines it accepted before: ${[...second.errors].slice(0, 3).join('; ')}`);
  const sum: Summary = { lines: lines.length, agree: 0, bothReject: 0, mismatches: [], refusals: [], wronglyAccepted: [], warningDiffs: [] };
  lines.forEach((line, i) => {
    const ours = ourRun(line, i);
    const o: Outcome = {
      line, gnu: accepted[i] ? 'ok' : 'error', gnuMessage: first.errors.get(i), gnuWarning: second.warnings.get(i) ?? first.warnings.get(i),
      ours: ours.error ? 'error' : 'ok', ourMessage: ours.error, ourWarning: ours.warning,
    };
    if (!accepted[i]) {
      if (ours.error) sum.bothReject++;
      else sum.wronglyAccepted.push(o);
      return;
    }
    if (ours.error) {
      sum.refusals.push(o);
      return;
    }
    const g = sectionOf(second.obj!, sectionName(i));
    const u = sectionOf(ours.obj!, sectionName(i));
    if (g.bytes !== u.bytes || g.relocs !== u.relocs) {
      o.diff = `ours [${u.bytes}] {${u.relocs}}, GNU as [${g.bytes}] {${g.relocs}}`;
      sum.mismatches.push(o);
    } else sum.agree++;
    if (!!o.gnuWarning !== !!o.ourWarning) sum.warningDiffs.push(o);
  });
  return sum;
}

/** One line per outcome, for reports. */
export function describe(o: Outcome): string {
  const l = `[${o.line.mode}] ${o.line.text}`;
  if (o.diff) return `${l}\n    ${o.diff}`;
  if (o.gnu === 'error') return `${l}\n    GNU as: ${o.gnuMessage}`;
  if (o.ours === 'error') return `${l}\n    ours: ${o.ourMessage}`;
  return `${l}\n    GNU as warns '${o.gnuWarning ?? ''}', ours '${o.ourWarning ?? ''}'`;
}
