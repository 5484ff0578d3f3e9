// Item[] -> AT&T assembly text that GNU as assembles to the same bytes as our assembler.
//
// Listings are for people (`--emit-asm`) and for checking the encoder against GNU as; nothing in the
// toolchain reads them back. Every Item kind has exactly one spelling here.

import type { Expr, Group, Instr, Item, Operand, SymValue } from './items.js';

/** Mnemonics whose register or memory operand is an indirect target, written `*%rax` / `*8(%rax)`. */
const INDIRECT = new Set(['call', 'callq', 'jmp', 'jmpq', 'ljmp', 'ljmpl', 'ljmpq', 'ljmpw', 'lcall', 'lcalll', 'lcallq', 'lcallw', 'callw', 'jmpw', 'calll', 'jmpl']);

const DATA_DIRECTIVE: Record<number, string> = { 1: '.byte', 2: '.short', 4: '.long', 8: '.quad' };

/** Prints an integer the way a reader expects: small ones in decimal, addresses and masks in hex. */
export function formatNumber(v: bigint): string {
  if (v < 0n) return v > -4096n ? `${v}` : `-0x${(-v).toString(16)}`;
  return v < 4096n ? `${v}` : `0x${v.toString(16)}`;
}

/** `sym`, `sym+8`, `sym-8`, `sym@PLT`, or a plain number. */
export function formatSymValue(v: SymValue): string {
  if (!v.sym) return formatNumber(v.addend);
  const sym = v.reloc ? `${v.sym}@${v.reloc.toUpperCase()}` : v.sym;
  if (v.addend === 0n) return sym;
  return v.addend < 0n ? `${sym}-${formatNumber(-v.addend)}` : `${sym}+${formatNumber(v.addend)}`;
}

export function formatOperand(op: Operand): string {
  switch (op.kind) {
    case 'reg':
      return `%${op.reg}`;
    case 'imm':
      return `$${formatSymValue(op.value)}`;
    case 'target':
      return formatSymValue(op.value);
    case 'mem': {
      let s = op.seg ? `%${op.seg}:` : '';
      const hasDisp = op.disp.sym !== undefined || op.disp.addend !== 0n;
      if (hasDisp || (!op.base && !op.index)) s += formatSymValue(op.disp);
      if (op.base || op.index) {
        s += '(';
        if (op.base) s += `%${op.base}`;
        if (op.index) s += `,%${op.index},${op.scale ?? 1}`;
        s += ')';
      }
      return s;
    }
  }
}

export function formatInstr(ins: Instr): string {
  const indirect = INDIRECT.has(ins.mnem);
  const ops = ins.ops.map((op) => (indirect && (op.kind === 'reg' || op.kind === 'mem') ? '*' : '') + formatOperand(op));
  const prefix = ins.prefixes && ins.prefixes.length ? ins.prefixes.join(' ') + ' ' : '';
  return ops.length ? `${prefix}${ins.mnem}\t${ops.join(', ')}` : `${prefix}${ins.mnem}`;
}

/** Fully parenthesised so GNU as's operator precedence never matters. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return formatNumber(e.value);
    case 'sym':
      return e.reloc ? `${e.name}@${e.reloc.toUpperCase()}` : e.name;
    case 'unary':
      return `${e.op}(${formatExpr(e.arg)})`;
    case 'binary':
      return `(${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)})`;
  }
}

/** `.ascii` with C escapes; bytes outside printable ASCII as three-digit octal. */
export function formatAscii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\' + b.toString(8).padStart(3, '0');
  }
  return `"${s}"`;
}

function formatItem(item: Item): string | undefined {
  switch (item.kind) {
    case 'instr':
      return '\t' + formatInstr(item);
    case 'label':
      return `${item.name}:`;
    case 'section': {
      let s = `\t.section ${item.name}`;
      if (item.flags !== undefined || item.type !== undefined) s += `,"${item.flags ?? ''}"`;
      if (item.type !== undefined) s += `,@${item.type.replace(/^[@%]/, '')}`;
      return s;
    }
    case 'code':
      return `\t.code${item.bits}`;
    case 'global':
      return `\t.globl ${item.name}`;
    case 'local':
      return `\t.local ${item.name}`;
    case 'weak':
      return `\t.weak ${item.name}`;
    case 'type':
      return `\t.type ${item.name}, @${item.type}`;
    case 'size':
      return `\t.size ${item.name}, ${formatExpr(item.expr)}`;
    case 'set':
      return `\t.set ${item.name}, ${formatExpr(item.expr)}`;
    case 'align': {
      let s = `\t.balign ${item.align}`;
      if (item.fill !== undefined || item.max !== undefined) s += `, ${item.fill ?? ''}`;
      if (item.max !== undefined) s += `, ${item.max}`;
      return s;
    }
    case 'data':
      return `\t${DATA_DIRECTIVE[item.width]} ${item.values.map(formatExpr).join(', ')}`;
    case 'bytes':
      return `\t.ascii ${formatAscii(item.bytes)}`;
    case 'fill':
      return `\t.fill ${formatExpr(item.count)}, ${item.size}, ${formatExpr(item.value)}`;
    case 'comment':
      return item.text
        .split('\n')
        .map((l) => `\t# ${l}`)
        .join('\n');
    case 'debugvar':
    case 'cfi':
      return undefined; // debug information only: GNU as would need .debug_* directives for it
    case 'group':
      return groupLines(item);
  }
}

/** The whole list as a `.S` file body, one item per line. */
export function formatListing(items: Item[]): string {
  return lines(items) + '\n';
}

const groups = new Map<string, string>(); // a group's lines, by its key (items.ts, Group)
const MAX_GROUPS = 1 << 14;

function lines(items: Item[]): string {
  return items.map(formatItem).filter((l) => l !== undefined).join('\n');
}

function groupLines(g: Group): string {
  let text = groups.get(g.key);
  if (text === undefined) {
    text = lines(g.items());
    if (groups.size >= MAX_GROUPS) groups.clear();
    groups.set(g.key, text);
  }
  return text;
}
