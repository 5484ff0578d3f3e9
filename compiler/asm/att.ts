// AT&T assembly text (GNU as syntax, as hand-written in kernel-src/arch/x86_64/*.S and runtime/*.S) -> Item[].
//
// The reader only parses: it turns each statement into an Item and leaves every decision about
// encoding, symbol values and relocations to the assembler, which gets the same records from the
// code generator. Numeric local labels (`1:`, `1b`, `1f`) are renamed to unique `.L` names here.
// An operand expression that is not `symbol + constant` becomes a hidden `.set` symbol placed just
// before its instruction, so the assembler can evaluate it once labels have addresses.

import { DiagnosticBag, UserError, type Diagnostic } from '../../linker/diag.js';
import type { SourceLoc } from '../../linker/object.js';
import type { Expr, Instr, Item, MemOperand, Operand, RelocModifier, SymValue } from './items.js';
import { PREFIXES, REGS, isBranch, isIndirectBranch } from './isa.js';
import { binaryOp, literal, unaryOp, type Warn } from './constexpr.js';

/** GNU as operator precedence (higher binds tighter): `<<` sits with `*`, `&` above `+`. */
const BINARY_PREC: Record<string, number> = {
  '*': 4, '/': 4, '%': 4, '<<': 4, '>>': 4,
  '|': 3, '&': 3, '^': 3, '!': 3,
  '+': 2, '-': 2, '==': 2, '!=': 2, '<>': 2, '<': 2, '>': 2, '<=': 2, '>=': 2,
  '&&': 1, '||': 1,
};

const SYMBOL_START = /[A-Za-z_.$]/;
const SYMBOL_CHAR = /[A-Za-z0-9_.$]/;

class SyntaxError_ extends Error {
  constructor(message: string, public col: number) {
    super(message);
  }
}

/** A cursor over one statement's text; `col0` is the statement's column in its line. */
class Scanner {
  pos = 0;
  constructor(public text: string, public col0: number) {}
  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }
  peek(): string {
    this.skipWs();
    return this.text[this.pos] ?? '';
  }
  atEnd(): boolean {
    return this.peek() === '';
  }
  eat(s: string): boolean {
    this.skipWs();
    if (this.text.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }
  expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected '${s}'`);
  }
  col(): number {
    return this.col0 + this.pos;
  }
  fail(msg: string): never {
    throw new SyntaxError_(msg, this.col());
  }
  symbol(): string | undefined {
    this.skipWs();
    if (!SYMBOL_START.test(this.text[this.pos] ?? '')) return undefined;
    const start = this.pos;
    while (this.pos < this.text.length && SYMBOL_CHAR.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }
}

export class AttReader {
  private items: Item[] = [];
  private bag = new DiagnosticBag();
  private numericDefs = new Map<string, number>(); // "1" -> how many `1:` seen so far
  private forwardRefs: { name: string; loc: SourceLoc }[] = [];
  private definedNumeric = new Set<string>();
  private hidden = 0;
  private loc: SourceLoc = { file: '', line: 0, col: 0 };

  constructor(private file: string) {}

  /** Warnings found so far (they never stop the parse). */
  warnings(): Diagnostic[] {
    return this.bag.items.filter((d) => d.severity === 'warning');
  }

  parse(text: string): Item[] {
    const lines = stripComments(text).split('\n');
    lines.forEach((line, i) => {
      for (const [stmt, col] of splitStatements(line)) {
        this.loc = { file: this.file, line: i + 1, col: col + 1 };
        try {
          this.statement(new Scanner(stmt, col + 1));
        } catch (e) {
          if (e instanceof SyntaxError_) this.bag.error('ASM0010', e.message, { file: this.file, line: i + 1, col: e.col });
          else if (e instanceof UserError) this.bag.items.push(...e.diagnostics);
          else throw e;
        }
      }
    });
    for (const r of this.forwardRefs) {
      if (!this.definedNumeric.has(r.name)) this.bag.error('ASM0012', `undefined local label '${r.name.replace(/^\.Lnum(\d+)_\d+$/, '$1f')}'`, r.loc);
    }
    this.bag.check();
    return this.items;
  }

  private emit(item: Item): void {
    this.items.push(item);
  }

  private warned = new Set<string>();
  /** A warning sink for the current statement (each message once per place). */
  warner(col: number): Warn {
    return (message) => {
      const key = `${this.loc.line}:${col}:${message}`;
      if (this.warned.has(key)) return;
      this.warned.add(key);
      this.bag.items.push({ code: 'ASM0030', message, loc: { file: this.file, line: this.loc.line, col }, severity: 'warning' });
    };
  }

  private at(s: Scanner, start: number): SourceLoc {
    return { file: this.file, line: this.loc.line, col: s.col0 + start };
  }

  private statement(s: Scanner): void {
    // Labels (any number) come first: `name:` or `1:`.
    for (;;) {
      s.skipWs();
      const save = s.pos;
      const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*|\d+)\s*:/.exec(s.text.slice(s.pos));
      if (!m) break;
      s.pos += m[0].length;
      const loc = this.at(s, save);
      if (/^\d+$/.test(m[1])) {
        const n = (this.numericDefs.get(m[1]) ?? 0) + 1;
        this.numericDefs.set(m[1], n);
        const name = `.Lnum${m[1]}_${n}`;
        this.definedNumeric.add(name);
        this.emit({ kind: 'label', name, loc });
      } else this.emit({ kind: 'label', name: m[1], loc });
    }
    if (s.atEnd()) return;
    const start = s.pos;
    const word = s.symbol();
    if (!word) return s.fail(`unexpected '${s.peek()}'`);
    const loc = this.at(s, start);
    if (s.eat('=')) {
      this.emit({ kind: 'set', name: word, expr: this.expr(s), loc });
      return this.end(s);
    }
    if (word.startsWith('.')) return this.directive(word, s, loc);
    this.instruction(word, s, loc);
  }

  private end(s: Scanner): void {
    if (!s.atEnd()) s.fail(`junk at end of line: '${s.text.slice(s.pos).trim()}'`);
  }

  // ---- instructions ----

  private instruction(first: string, s: Scanner, loc: SourceLoc): void {
    const prefixes: string[] = [];
    let mnem = first.toLowerCase();
    while (PREFIXES[mnem] !== undefined && !s.atEnd()) {
      prefixes.push(mnem);
      const m = s.symbol();
      if (!m) return s.fail('expected an instruction after prefix');
      mnem = m.toLowerCase();
    }
    const ops: Operand[] = [];
    const setItems: Item[] = [];
    if (!s.atEnd()) {
      do {
        const start = s.pos;
        ops.push(this.operand(s, mnem, setItems, prefixes.length > 0));
        // GNU as takes no `=` in an instruction operand (so no == != <= >=), though directives do.
        const eq = s.text.indexOf('=', start);
        if (eq >= 0 && eq < s.pos) throw new SyntaxError_(`invalid character '=' in operand ${ops.length}`, s.col0 + eq);
      } while (s.eat(','));
    }
    this.end(s);
    for (const it of setItems) this.emit(it);
    const ins: Instr = { kind: 'instr', mnem, ops, loc };
    if (prefixes.length) ins.prefixes = prefixes;
    this.emit(ins);
  }

  private operand(s: Scanner, mnem: string, setItems: Item[], prefixed: boolean): Operand {
    s.skipWs();
    const indirect = s.eat('*');
    if (s.eat('$')) return { kind: 'imm', value: this.symValue(this.expr(s), s, setItems) };
    const start = s.col();
    const noStar = () => {
      const what = /^l?(call|jmp)/.exec(mnem)?.[0];
      if (!indirect && what && isIndirectBranch(mnem)) this.warner(start)(`indirect ${what} without '*'`);
    };
    if (s.peek() === '%') {
      const r = this.register(s);
      if (!s.eat(':')) {
        noStar();
        return { kind: 'reg', reg: r };
      }
      const mem = this.memory(s, setItems, r);
      if (!indirect && (isBranch(mnem) || isIndirectBranch(mnem)) && !mem.base && !mem.index) s.fail('a segment on a direct branch target is not supported');
      return mem;
    }
    // After a prefix word GNU as takes a leading `!` or `~` as part of the mnemonic: refused there.
    if (prefixed && (s.peek() === '!' || s.peek() === '~')) s.fail(`an operand starting with '${s.peek()}' after a prefix is not supported`);
    const mem = this.memory(s, setItems);
    if (!indirect && (isBranch(mnem) || isIndirectBranch(mnem)) && !mem.base && !mem.index) {
      if (mem.seg) s.fail('a segment on a direct branch target is not supported');
      return { kind: 'target', value: mem.disp };
    }
    noStar();
    return mem;
  }

  private register(s: Scanner): string {
    s.skipWs();
    const col = s.col();
    s.expect('%');
    const name = s.symbol();
    if (!name) return s.fail('expected a register name after %');
    const r = name.toLowerCase();
    if (!REGS.has(r)) throw new SyntaxError_(`bad register name '%${name}'`, col);
    return r;
  }

  /** `disp(base, index, scale)`; the displacement itself may be parenthesised. */
  private memory(s: Scanner, setItems: Item[], seg?: string): MemOperand {
    s.skipWs();
    const mem: MemOperand = { kind: 'mem', disp: { addend: 0n } };
    if (seg) mem.seg = seg;
    const rest = s.text.slice(s.pos);
    const starts = rest.startsWith('(') && /^\(\s*(%|,)/.test(rest);
    if (!starts) mem.disp = this.symValue(this.expr(s, true), s, setItems);
    if (s.peek() === '(') {
      s.expect('(');
      if (s.peek() === '%') mem.base = this.register(s);
      if (s.eat(',')) {
        if (s.peek() === '%') mem.index = this.register(s);
        if (s.eat(',')) {
          const scaleExpr = this.expr(s);
          const v = constValue(scaleExpr);
          if (v === undefined || ![1n, 2n, 4n, 8n].includes(v)) s.fail('scale factor must be 1, 2, 4 or 8');
          mem.scale = Number(v) as 1 | 2 | 4 | 8;
        } else if (mem.index) mem.scale = 1;
      }
      s.expect(')');
    }
    return mem;
  }

  /** Reduces an operand expression to `sym + addend`, or names it by a hidden `.set` symbol. */
  private symValue(e: Expr, s: Scanner, setItems: Item[]): SymValue {
    const simple = asSymValue(e, this.warner(s.col()));
    if (simple) return simple;
    const name = `.Lexpr${++this.hidden}`;
    setItems.push({ kind: 'set', name, expr: e, loc: { ...this.loc, col: s.col() } });
    return { sym: name, addend: 0n };
  }

  // ---- expressions ----

  /** `inOperand`: stop before a `(` that starts a memory operand's register part. */
  expr(s: Scanner, inOperand = false, minPrec = 1): Expr {
    let left = this.unary(s, inOperand);
    for (;;) {
      s.skipWs();
      const op = ['<<', '>>', '<=', '>=', '<>', '==', '!=', '&&', '||', '*', '/', '%', '|', '&', '^', '!', '+', '-', '<', '>'].find((o) =>
        s.text.startsWith(o, s.pos),
      );
      if (!op || BINARY_PREC[op] < minPrec) return left;
      // `%` followed by a register name is the start of an operand, not modulo.
      if (op === '%' && /^%[A-Za-z]/.test(s.text.slice(s.pos))) return left;
      s.pos += op.length;
      // GNU as reads `a ! !b` as something other than `a ! (!b)` (an exclusive or): not guessed at.
      if (op === '!' && s.peek() === '!') s.fail("'!' directly after binary '!' is ambiguous: write parentheses");
      const right = this.expr(s, inOperand, BINARY_PREC[op] + 1);
      left = { kind: 'binary', op, left, right };
    }
  }

  private unary(s: Scanner, inOperand: boolean): Expr {
    s.skipWs();
    const c = s.text[s.pos];
    if (c === '-' || c === '~' || c === '!') {
      s.pos++;
      return { kind: 'unary', op: c, arg: this.unary(s, inOperand) };
    }
    if (c === '+') {
      s.pos++;
      return this.unary(s, inOperand);
    }
    if (c === '(') {
      if (inOperand && /^\(\s*(%|,)/.test(s.text.slice(s.pos))) s.fail('expected an expression');
      s.pos++;
      const e = this.expr(s);
      s.expect(')');
      return e;
    }
    if (c === "'") {
      // GNU character constant: 'a (a closing quote is optional).
      s.pos++;
      let ch = s.text[s.pos++];
      if (ch === '\\') ch = unescapeChar(s.text[s.pos++]);
      if (s.text[s.pos] === "'") s.pos++;
      return { kind: 'num', value: BigInt(ch.charCodeAt(0)) };
    }
    if (c !== undefined && /[0-9]/.test(c)) return this.number(s);
    const start = s.pos;
    const name = s.symbol();
    if (name === undefined) s.fail(c === undefined ? 'expected an expression' : `unexpected '${c}' in expression`);
    if (name === '.') return { kind: 'sym', name: '.' };
    void start;
    if (s.text[s.pos] === '@') {
      const m = /^@(PLT|GOTPCREL)\b/i.exec(s.text.slice(s.pos));
      if (!m) s.fail(`unsupported relocation modifier '${/^@\w*/.exec(s.text.slice(s.pos))![0]}'`);
      s.pos += m![0].length;
      return { kind: 'sym', name, reloc: m![1].toLowerCase() as RelocModifier };
    }
    return { kind: 'sym', name };
  }

  private number(s: Scanner): Expr {
    const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([bf])?(?![A-Za-z0-9_$.])/.exec(s.text.slice(s.pos));
    if (!m) return s.fail(`bad number '${/^\S+/.exec(s.text.slice(s.pos))?.[0]}'`);
    const startCol = s.pos;
    s.pos += m[0].length;
    if (m[2]) return { kind: 'sym', name: this.numericRef(m[1], m[2], startCol, s) };
    const t = m[1];
    let v: bigint | undefined;
    if (/^0[xXbB]/.test(t)) v = BigInt(t.toLowerCase());
    else if (t.length > 1 && t[0] === '0') {
      if (!/^[0-7]+$/.test(t)) s.fail(`bad octal number '${t}'`);
      v = BigInt('0o' + t.slice(1));
    } else v = BigInt(t);
    v = literal(v);
    if (v === undefined) return s.fail(`number '${t}' does not fit in 64 bits`);
    return { kind: 'num', value: v };
  }

  /** `1b` is the latest `1:` so far; `1f` the next one (checked at the end of the file). */
  private numericRef(n: string, dir: string, startCol: number, s: Scanner): string {
    const count = this.numericDefs.get(n) ?? 0;
    if (dir === 'b') {
      if (count === 0) throw new SyntaxError_(`undefined local label '${n}b'`, s.col0 + startCol);
      return `.Lnum${n}_${count}`;
    }
    const name = `.Lnum${n}_${count + 1}`;
    this.forwardRefs.push({ name, loc: { file: this.file, line: this.loc.line, col: s.col0 + startCol } });
    return name;
  }

  // ---- directives ----

  private directive(name: string, s: Scanner, loc: SourceLoc): void {
    const d = name.toLowerCase();
    const handler = DIRECTIVES[d];
    if (!handler) throw new SyntaxError_(`unknown directive '${name}'`, loc.col);
    handler(this, s, loc);
    this.end(s);
  }

  exprList(s: Scanner): Expr[] {
    const out: Expr[] = [];
    if (s.atEnd()) return out;
    do out.push(this.expr(s));
    while (s.eat(','));
    return out;
  }

  push(item: Item): void {
    this.emit(item);
  }

  string(s: Scanner): number[] {
    s.skipWs();
    if (s.text[s.pos] !== '"') s.fail('expected a string');
    s.pos++;
    const out: number[] = [];
    for (;;) {
      const c = s.text[s.pos++];
      if (c === undefined) s.fail('unterminated string');
      if (c === '"') return out;
      if (c !== '\\') {
        out.push(...new TextEncoder().encode(c));
        continue;
      }
      const e = s.text[s.pos++];
      if (/[0-7]/.test(e)) {
        let v = e;
        while (v.length < 3 && /[0-7]/.test(s.text[s.pos] ?? '')) v += s.text[s.pos++];
        out.push(parseInt(v, 8) & 0xff);
      } else if (e === 'x') {
        let v = '';
        while (/[0-9a-fA-F]/.test(s.text[s.pos] ?? '')) v += s.text[s.pos++];
        out.push(parseInt(v || '0', 16) & 0xff);
      } else out.push(unescapeChar(e).charCodeAt(0));
    }
  }
}

function unescapeChar(e: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\\': '\\', '"': '"', "'": "'" };
  return map[e] ?? e;
}

type Handler = (r: AttReader, s: Scanner, loc: SourceLoc) => void;

function sectionHandler(name: string): Handler {
  return (r, _s, loc) => r.push({ kind: 'section', name, loc });
}

function dataHandler(width: 1 | 2 | 4 | 8): Handler {
  return (r, s, loc) => r.push({ kind: 'data', width, values: r.exprList(s), loc });
}

function stringHandler(zero: boolean): Handler {
  return (r, s, loc) => {
    do {
      const bytes = r.string(s);
      if (zero) bytes.push(0);
      r.push({ kind: 'bytes', bytes: new Uint8Array(bytes), loc });
    } while (s.eat(','));
  };
}

function symbolListHandler(kind: 'global' | 'local' | 'weak'): Handler {
  return (r, s, loc) => {
    do {
      const name = s.symbol();
      if (!name) return s.fail('expected a symbol name');
      r.push({ kind, name, loc });
    } while (s.eat(','));
  };
}

/** .align/.balign n[, fill[, max]]; .p2align takes a power of two. */
function alignHandler(pow2: boolean): Handler {
  return (r, s, loc) => {
    const args: (Expr | undefined)[] = [];
    do {
      s.skipWs();
      args.push(s.peek() === ',' || s.atEnd() ? undefined : r.expr(s));
    } while (s.eat(','));
    const n = args[0] && constValue(args[0]);
    if (n === undefined) return s.fail('alignment must be a constant');
    const align = pow2 ? 1n << n : n;
    if (align <= 0n || (align & (align - 1n)) !== 0n) s.fail(`alignment ${align} is not a power of 2`);
    const item: Item = { kind: 'align', align: Number(align), loc };
    const fill = args[1] && constValue(args[1]);
    const max = args[2] && constValue(args[2]);
    if (args[1] && fill === undefined) s.fail('fill value must be a constant');
    if (args[2] && max === undefined) s.fail('maximum skip must be a constant');
    if (fill !== undefined) item.fill = Number(fill & 0xffn);
    if (max !== undefined) item.max = Number(max);
    r.push(item);
  };
}

function setHandler(r: AttReader, s: Scanner, loc: SourceLoc): void {
  const name = s.symbol();
  if (!name) return s.fail('expected a symbol name');
  s.expect(',');
  r.push({ kind: 'set', name, expr: r.expr(s), loc });
}

const ignore: Handler = (_r, s) => {
  s.pos = s.text.length;
};

const DIRECTIVES: Record<string, Handler> = {
  '.text': sectionHandler('.text'),
  '.data': sectionHandler('.data'),
  '.bss': sectionHandler('.bss'),
  '.rodata': sectionHandler('.rodata'),
  '.section': (r, s, loc) => {
    s.skipWs();
    const m = /^[^\s,]+/.exec(s.text.slice(s.pos));
    if (!m) return s.fail('expected a section name');
    s.pos += m[0].length;
    const item: Item = { kind: 'section', name: m[0].replace(/^"|"$/g, ''), loc };
    if (s.eat(',')) {
      item.flags = String.fromCharCode(...r.string(s));
      if (s.eat(',')) {
        s.skipWs();
        const t = /^[@%]?(\w+)/.exec(s.text.slice(s.pos));
        if (!t) return s.fail('expected a section type');
        s.pos += t[0].length;
        item.type = t[1];
        while (s.eat(',')) r.expr(s); // entity size etc.: not needed
      }
    }
    r.push(item);
  },
  '.code32': (r, _s, loc) => r.push({ kind: 'code', bits: 32, loc }),
  '.code64': (r, _s, loc) => r.push({ kind: 'code', bits: 64, loc }),
  '.globl': symbolListHandler('global'),
  '.global': symbolListHandler('global'),
  '.local': symbolListHandler('local'),
  '.weak': symbolListHandler('weak'),
  '.type': (r, s, loc) => {
    const name = s.symbol();
    if (!name) return s.fail('expected a symbol name');
    s.expect(',');
    s.skipWs();
    const t = /^[@%]?(\w+)/.exec(s.text.slice(s.pos));
    if (!t) return s.fail('expected @function or @object');
    s.pos += t[0].length;
    const kind = { function: 'function', STT_FUNC: 'function', object: 'object', STT_OBJECT: 'object' }[t[1]];
    if (!kind) return s.fail(`unsupported symbol type '${t[1]}'`);
    r.push({ kind: 'type', name, type: kind as 'function' | 'object', loc });
  },
  '.size': (r, s, loc) => {
    const name = s.symbol();
    if (!name) return s.fail('expected a symbol name');
    s.expect(',');
    r.push({ kind: 'size', name, expr: r.expr(s), loc });
  },
  '.set': setHandler,
  '.equ': setHandler,
  '.equiv': setHandler,
  '.align': alignHandler(false),
  '.balign': alignHandler(false),
  '.p2align': alignHandler(true),
  '.byte': dataHandler(1),
  '.word': dataHandler(2),
  '.short': dataHandler(2),
  '.2byte': dataHandler(2),
  '.long': dataHandler(4),
  '.int': dataHandler(4),
  '.4byte': dataHandler(4),
  '.quad': dataHandler(8),
  '.8byte': dataHandler(8),
  '.ascii': stringHandler(false),
  '.asciz': stringHandler(true),
  '.string': stringHandler(true),
  '.zero': (r, s, loc) => r.push({ kind: 'fill', count: r.expr(s), size: 1, value: { kind: 'num', value: 0n }, loc }),
  '.skip': skipHandler,
  '.space': skipHandler,
  '.fill': (r, s, loc) => {
    const count = r.expr(s);
    let size = 1n;
    let value: Expr = { kind: 'num', value: 0n };
    if (s.eat(',')) {
      const sz = constValue(r.expr(s));
      if (sz === undefined || sz < 0n || sz > 8n) return s.fail('.fill size must be a constant from 0 to 8');
      size = sz;
      if (s.eat(',')) value = r.expr(s);
    }
    r.push({ kind: 'fill', count, size: Number(size), value, loc });
  },
  '.file': ignore,
  '.ident': ignore,
  '.att_syntax': ignore,
  '.extern': ignore,
};

function skipHandler(r: AttReader, s: Scanner, loc: SourceLoc): void {
  const count = r.expr(s);
  const value: Expr = s.eat(',') ? r.expr(s) : { kind: 'num', value: 0n };
  r.push({ kind: 'fill', count, size: 1, value, loc });
}

/**
 * The value of a constant expression, or undefined when it names a symbol that `lookup` does not
 * know as a constant (by default: any symbol). The operators are GNU as's (constexpr.ts).
 */
export function constValue(e: Expr, lookup: (name: string) => bigint | undefined = () => undefined, warn?: Warn): bigint | undefined {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'sym':
      return lookup(e.name);
    case 'unary': {
      const a = constValue(e.arg, lookup, warn);
      return a === undefined ? undefined : unaryOp(e.op, a);
    }
    case 'binary': {
      // `x - x` is 0 whatever x is (GNU as folds it for any symbol).
      if (e.op === '-' && e.left.kind === 'sym' && e.right.kind === 'sym' && e.left.name === e.right.name && e.left.name !== '.') return 0n;
      const a = constValue(e.left, lookup, warn);
      const b = constValue(e.right, lookup, warn);
      return a === undefined || b === undefined ? undefined : binaryOp(e.op, a, b, warn);
    }
  }
}

/** `n`, `sym`, `sym + n`, `sym - n`, `n + sym` as a SymValue; anything else undefined. */
function asSymValue(e: Expr, warn: Warn): SymValue | undefined {
  const c = constValue(e, undefined, warn);
  if (c !== undefined) return { addend: c };
  if (e.kind === 'sym' && e.name !== '.') return e.reloc ? { sym: e.name, addend: 0n, reloc: e.reloc } : { sym: e.name, addend: 0n };
  if (e.kind === 'binary' && (e.op === '+' || e.op === '-')) {
    const l = asSymValue(e.left, warn);
    const r = constValue(e.right, undefined, warn);
    if (l && l.sym && r !== undefined) return { ...l, addend: binaryOp(e.op, l.addend, r)! };
    const lc = constValue(e.left, undefined, warn);
    const rs = asSymValue(e.right, warn);
    if (e.op === '+' && lc !== undefined && rs && rs.sym) return { ...rs, addend: binaryOp('+', rs.addend, lc)! };
  }
  return undefined;
}

/** Removes `#` line comments and `/* *\/` block comments, keeping line breaks and columns. */
function stripComments(text: string): string {
  let out = '';
  let i = 0;
  let inStr = false;
  while (i < text.length) {
    const c = text[i];
    if (inStr) {
      out += c;
      if (c === '\\' && text[i + 1] !== '\n') out += text[++i] ?? '';
      else if (c === '"' || c === '\n') inStr = false; // a string never spans lines
      i++;
    } else if (c === '"') {
      inStr = true;
      out += c;
      i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const body = text.slice(i, end < 0 ? text.length : end + 2);
      out += body.replace(/[^\n]/g, ' ');
      i += body.length;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === "'") {
      // character constant: the next character is literal (it may be '#' or '"')
      const n = charConstLength(text, i);
      out += text.slice(i, i + n);
      i += n;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Length of a GNU character constant at `i`: 'c, '\c, with an optional closing quote. */
function charConstLength(text: string, i: number): number {
  let n = text[i + 1] === '\\' ? 3 : 2;
  if (text[i + n] === "'" && text[i + n + 1] !== "'") n++;
  return Math.min(n, text.length - i);
}

/** Splits a line on `;` outside strings; returns each statement with its 0-based column. */
function splitStatements(line: string): [string, number][] {
  const out: [string, number][] = [];
  let start = 0;
  let inStr = false;
  for (let i = 0; i <= line.length; i++) {
    const c = line[i];
    if (inStr && c !== undefined) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === "'") i += Math.min(charConstLength(line, i), line.length - i) - 1;
    else if (c === ';' || c === undefined) {
      const stmt = line.slice(start, i);
      const lead = stmt.length - stmt.trimStart().length;
      if (stmt.trim()) out.push([stmt.trimStart(), start + lead]);
      start = i + 1;
    }
  }
  return out;
}

/** Parses GNU as AT&T text into items; throws UserError with every diagnostic found. */
export function parseAtt(text: string, file: string, warnings?: Diagnostic[]): Item[] {
  const r = new AttReader(file);
  try {
    return r.parse(text);
  } finally {
    warnings?.push(...r.warnings());
  }
}
