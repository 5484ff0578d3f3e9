// The second generator mode: random programs over all the integer widths (i8 .. u64), which node
// cannot run through the shim (a JS number is not exact beyond 2^53).
//
// One program tree, two renderings: every expression is built as a pair { ts, js } by a
// generator that knows its type. The TypeScript text is what our compiler compiles; the
// JavaScript text computes the same thing with BigInt, every result wrapped with
// BigInt.asIntN/asUintN to its type's width (helpers in WIDE_PRELUDE below, which share nothing
// with the compiler: they are written from docs/language.md). So node is an independent oracle.
//
// The subset, and why each piece keeps both sides equal:
//   - literals are written `T(lit)` (a literal inside a conversion takes its type), or bare as
//     the second operand of a binary operator whose first operand has the same type T;
//   - + - * & | ^ on two operands of type T (or one implicitly widened from a narrower type): the
//     result is wrapped to T (8/16-bit arithmetic too, which is done in 32 bits and wrapped);
//   - / and %: the divisor is `(b | 1)` (unsigned), `((b >>> 1) | 1)` or `((b & -2) | 2)`
//     (signed): never 0 and, for the 32/64-bit signed types, never -1 (8/16-bit MIN / -1 does not
//     trap: it is done in 32 bits);
//   - shifts: the count has any integer type and is masked to 5 bits (6 for 64-bit left operands);
//     8/16-bit values are shifted as 32-bit values and wrapped back;
//   - comparisons (signed or unsigned by the type) become 0/1 through T(bool);
//   - conversions between every pair of widths: JS keeps the mathematical value, so a conversion
//     is exactly asIntN/asUintN of it (extension by the source's signedness is automatic);
//   - memory: a module InlineArray<u8, 128> through load<T>/store<T> at constant offsets, and
//     structs with 8..64-bit fields viewed over it with changetype; the generator lays the
//     structs out itself (System V: natural alignment) and the JS side reads a DataView;
//   - printing: `${x}` is decimal on both sides, `${hex(x)}` is 0x + lowercase hex of the value
//     zero-extended from its own width.

import { prng } from './gen.ts';

export type WTy = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64';
const TYPES: WTy[] = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64'];
const BITS: Record<WTy, number> = { i8: 8, u8: 8, i16: 16, u16: 16, i32: 32, u32: 32, i64: 64, u64: 64 };
const signed = (t: WTy) => t[0] === 'i';
const size = (t: WTy) => BITS[t] / 8;
const wrap = (t: WTy, v: bigint) => (signed(t) ? BigInt.asIntN(BITS[t], v) : BigInt.asUintN(BITS[t], v));

/** Implicit conversion S -> T (docs/language.md, Conversions): same signedness and at least as
 * wide, or unsigned to a strictly wider signed type. */
function widens(s: WTy, t: WTy): boolean {
  if (signed(s) === signed(t)) return BITS[s] <= BITS[t];
  return !signed(s) && signed(t) && BITS[s] < BITS[t];
}

/** The JavaScript the node side runs before a program: the language's semantics over BigInt. */
export const WIDE_PRELUDE = `
const W = {
  i8: (v) => BigInt.asIntN(8, v), u8: (v) => BigInt.asUintN(8, v),
  i16: (v) => BigInt.asIntN(16, v), u16: (v) => BigInt.asUintN(16, v),
  i32: (v) => BigInt.asIntN(32, v), u32: (v) => BigInt.asUintN(32, v),
  i64: (v) => BigInt.asIntN(64, v), u64: (v) => BigInt.asUintN(64, v),
};
const BITS = { i8: 8, u8: 8, i16: 16, u16: 16, i32: 32, u32: 32, i64: 64, u64: 64 };
const width = (t) => (BITS[t] === 64 ? 64 : 32); // narrow values are shifted as 32-bit values
const SHL = (t, a, c) => W[t](a << (c & BigInt(width(t) - 1)));
const SHR = (t, a, c) => W[t](a >> (c & BigInt(width(t) - 1)));
const USHR = (t, a, c) => W[t](BigInt.asUintN(width(t), a) >> (c & BigInt(width(t) - 1)));
const B = (c) => (c ? 1n : 0n);
const H = (t, v) => '0x' + BigInt.asUintN(BITS[t], v).toString(16);
const MEM = new DataView(new ArrayBuffer(${128}));
const LD = (t, off) => {
  switch (t) {
    case 'i8': return BigInt(MEM.getInt8(off));
    case 'u8': return BigInt(MEM.getUint8(off));
    case 'i16': return BigInt(MEM.getInt16(off, true));
    case 'u16': return BigInt(MEM.getUint16(off, true));
    case 'i32': return BigInt(MEM.getInt32(off, true));
    case 'u32': return BigInt(MEM.getUint32(off, true));
    case 'i64': return MEM.getBigInt64(off, true);
    case 'u64': return MEM.getBigUint64(off, true);
  }
  throw new Error('bad type ' + t);
};
const ST = (t, off, v) => {
  const n = BITS[t];
  if (n === 64) MEM.setBigUint64(off, BigInt.asUintN(64, v), true);
  else if (n === 32) MEM.setUint32(off, Number(BigInt.asUintN(32, v)), true);
  else if (n === 16) MEM.setUint16(off, Number(BigInt.asUintN(16, v)), true);
  else MEM.setUint8(off, Number(BigInt.asUintN(8, v)));
};
`;

const MEM_SIZE = 128;
const COST_BUDGET = 400;

/** An expression in both renderings. `lit` is the bare literal text when it is a literal. */
interface E { ts: string; js: string; lit?: string; narrow?: boolean }
interface Var { name: string; ty: WTy; mutable: boolean }
interface Fn { name: string; params: WTy[]; ret: WTy; cost: number }
interface Field { name: string; ty: WTy; off: number }
interface Struct { name: string; fields: Field[]; size: number }

class WideGen {
  private rand: () => number;
  private ts: string[] = [];
  private js: string[] = [];
  private fns: Fn[] = [];
  private structs: Struct[] = [];
  private globals: Var[] = [];
  private scopes: Var[][] = [];
  private counter = 0;
  private cost = 0;
  private mult = 1;
  private depth = 0;
  private ret: WTy | undefined; // the return type of the function being generated (main: none)

  constructor(seed: number, private entry: string) {
    this.rand = prng(seed ^ 0x5eed64);
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  private chance(p: number): boolean {
    return this.rand() < p;
  }
  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }
  private ty(): WTy {
    // 64-bit types twice as often: they are what this mode is for.
    return this.pick([...TYPES, 'i64', 'u64', 'i64', 'u64'] as const);
  }

  // ---- literals ----

  private value(t: WTy): bigint {
    const n = BITS[t];
    const min = signed(t) ? -(1n << BigInt(n - 1)) : 0n;
    const max = signed(t) ? (1n << BigInt(n - 1)) - 1n : (1n << BigInt(n)) - 1n;
    switch (this.int(6)) {
      case 0: return this.pick([0n, 1n, 2n, max, max - 1n, min, min + 1n, signed(t) ? -1n : max >> 1n]);
      case 1: return BigInt(this.int(100));
      case 2: return wrap(t, (1n << BigInt(this.int(n))) - BigInt(this.int(2))); // around powers of two
      case 3: return wrap(t, BigInt(this.int(0x100000000)));
      case 4: return wrap(t, -BigInt(this.int(1000)));
      default: return wrap(t, (BigInt(this.int(0x100000000)) << 32n) | BigInt(this.int(0x100000000)));
    }
  }

  /** Literal source text: hex for large unsigned values (the compiler reads it exactly). */
  private litText(t: WTy, v: bigint): string {
    if (!signed(t) && v > 0xffffn) return '0x' + v.toString(16).toUpperCase();
    return v.toString();
  }

  literal(t: WTy): E {
    const v = this.value(t);
    const text = this.litText(t, v);
    return { ts: `${t}(${text})`, js: `${v}n`, lit: text };
  }

  // ---- expressions ----

  private vars(t: WTy, mutableOnly = false): Var[] {
    return [...this.globals, ...this.scopes.flat()].filter((v) => v.ty === t && (!mutableOnly || v.mutable));
  }

  /** An operand of type t, or of a type that widens to t implicitly (same value under JS). */
  private operand(t: WTy, d: number): E {
    if (this.chance(0.2)) {
      const narrower = TYPES.filter((s) => s !== t && widens(s, t));
      if (narrower.length) return { ...this.expr(this.pick(narrower), d), narrow: true };
    }
    return this.expr(t, d);
  }

  private bin(t: WTy, op: string, a: E, b: E, convert: boolean): E {
    // A literal right operand may be bare: it takes its type from the left operand, which must
    // then have type t itself (a narrower left operand would not hold the literal).
    // Or a literal left operand, typed by the right one (`-5 + x`, `0x8000000000000000 & x`).
    const bare = b.lit !== undefined && a.lit === undefined && !a.narrow && this.chance(0.5);
    const bareLeft = !bare && a.lit !== undefined && b.lit === undefined && !b.narrow && this.chance(0.3);
    const ts = `(${bareLeft ? a.lit : a.ts} ${op} ${bare ? b.lit : b.ts})`;
    return { ts: convert ? `${t}${ts}` : ts, js: `W.${t}((${a.js}) ${op} (${b.js}))` };
  }

  private divisor(t: WTy, d: number): E {
    if (this.chance(0.4)) {
      // A constant divisor: compilers turn these into shifts and multiplications.
      const n = BITS[t];
      const v = wrap(t, this.pick([
        1n << BigInt(this.int(n - 1)), 3n, 5n, 7n, 10n, 641n, 1000000007n, -3n, -8n, -(1n << BigInt(this.int(n - 1))),
        (1n << BigInt(n - 1)) - 1n, 1n << BigInt(n - 1), (1n << BigInt(n)) - 2n, (1n << BigInt(n - 1)) + 1n,
      ]));
      if (v !== 0n && (v !== -1n || BITS[t] < 32)) {
        const text = this.litText(t, v);
        return { ts: `${t}(${text})`, js: `${v}n`, lit: text };
      }
    }
    const b = this.expr(t, d);
    if (!signed(t)) return this.bin(t, '|', b, this.lit1(t, 1n), false);
    if (this.chance(0.5)) return this.bin(t, '|', this.shift(t, '>>>', b, this.lit1('i32', 1n)), this.lit1(t, 1n), false);
    return this.bin(t, '|', this.bin(t, '&', b, this.lit1(t, -2n), false), this.lit1(t, 2n), false);
  }

  private lit1(t: WTy, v: bigint): E {
    return { ts: `${t}(${v})`, js: `${v}n`, lit: `${v}` };
  }

  private shift(t: WTy, op: string, a: E, c: E): E {
    const fn = op === '<<' ? 'SHL' : op === '>>' ? 'SHR' : 'USHR';
    // After `<<` TypeScript tries type arguments first (`f(x) << g(y > (z))` parses as a call of
    // `f(x)<<g(y>`...): a count that is not a literal or a variable is written `(0 + c)`, where no
    // type can start (the literal takes c's type: the same value).
    const count = /^(-?[0-9]+|[a-z]\w*)$/i.test(c.ts) ? c.ts : `(0 + ${c.ts})`;
    return { ts: `(${a.ts} ${op} ${count})`, js: `${fn}('${t}', ${a.js}, ${c.js})` };
  }

  /** A shift count: a small literal, or any expression of any type (masked by the shift). */
  private count(d: number): E {
    if (this.chance(0.4)) {
      const v = BigInt(this.pick([0, 1, 7, 8, 15, 16, 31, 32, 33, 63, this.int(64)]));
      return { ts: `${v}`, js: `${v}n` };
    }
    return this.expr(this.ty(), d);
  }

  expr(t: WTy, d: number): E {
    if (d <= 0 || this.chance(0.2)) {
      const vs = this.vars(t);
      if (vs.length && this.chance(0.7)) {
        const v = this.pick(vs);
        return { ts: v.name, js: v.name };
      }
      return this.literal(t);
    }
    const a = () => this.expr(t, d - 1);
    switch (this.int(15)) {
      case 0: case 1: case 2: {
        // At most one operand narrower than t: two narrower ones may have no common type (u8, i8).
        const x = this.operand(t, d - 1);
        const y = x.narrow ? a() : this.operand(t, d - 1);
        return this.bin(t, this.pick(['+', '-', '&', '|', '^', '*']), x, y, this.chance(0.5));
      }
      case 3: return this.bin(t, this.pick(['/', '%']), a(), this.divisor(t, d - 1), this.chance(0.3));
      case 4: return this.shift(t, this.pick(['<<', '>>', '>>>']), a(), this.count(d - 1));
      case 5: {
        const x = a();
        const op = this.pick(['-', '~']);
        const ts = `${op}(${x.ts})`;
        return { ts: this.chance(0.5) ? `${t}(${ts})` : ts, js: `W.${t}(${op}(${x.js}))` };
      }
      case 6: {
        const x = this.expr(this.ty(), d - 1);
        return { ts: `${t}(${x.ts})`, js: `W.${t}(${x.js})` };
      }
      case 7: {
        const c = this.cond(d - 1, true);
        const x = a(), y = a();
        return { ts: `(${c.ts} ? ${x.ts} : ${y.ts})`, js: `(${c.js} ? ${x.js} : ${y.js})` };
      }
      case 8: {
        const c = this.cond(d - 1);
        return { ts: `${t}(${c.ts})`, js: `B(${c.js})` };
      }
      case 9: {
        const off = this.int(MEM_SIZE - size(t) + 1);
        return { ts: `ld_${t}(${off})`, js: `LD('${t}', ${off})` };
      }
      case 10: {
        const f = this.field(t);
        if (!f) return a();
        return { ts: `${f.view}.${f.field.name}`, js: `LD('${t}', ${f.off})` };
      }
      case 11: {
        // An assignment is an expression with the assigned value (evaluated left to right).
        const vs = this.vars(t, true);
        if (!vs.length) return a();
        const v = this.pick(vs);
        if (this.chance(0.5)) {
          const e = this.operand(t, d - 1);
          return { ts: `(${v.name} = ${e.ts})`, js: `(${v.name} = ${e.js})` };
        }
        const op = this.pick(['+', '-', '*', '&', '|', '^']);
        const e = this.operand(t, d - 1);
        return { ts: `(${v.name} ${op}= ${e.ts})`, js: `(${v.name} = W.${t}(${v.name} ${op} (${e.js})))` };
      }
      case 12: {
        // ++ and --: prefix forms yield the new value, postfix forms the old one (wrapped).
        const vs = this.vars(t, true);
        if (!vs.length) return a();
        const v = this.pick(vs).name;
        const op = this.pick(['+', '-']);
        const back = op === '+' ? '-' : '+';
        return this.chance(0.5)
          ? { ts: `(${op}${op}${v})`, js: `(${v} = W.${t}(${v} ${op} 1n))` }
          : { ts: `(${v}${op}${op})`, js: `((${v} = W.${t}(${v} ${op} 1n)), W.${t}(${v} ${back} 1n))` };
      }
      default: {
        const callees = this.fns.filter((f) => f.ret === t && this.cost + this.mult * f.cost <= COST_BUDGET);
        if (!callees.length) return a();
        const f = this.pick(callees);
        this.cost += this.mult * f.cost;
        const args = f.params.map((p) => this.expr(p, d - 1));
        return { ts: `${f.name}(${args.map((x) => x.ts).join(', ')})`, js: `${f.name}(${args.map((x) => x.js).join(', ')})` };
      }
    }
  }

  /** A struct field of type t at a random place in memory: the view's TS text and the field's
   * absolute offset in the memory (for the JS side). */
  private field(t: WTy): { view: string; field: Field; off: number } | undefined {
    const cands = this.structs.flatMap((s) => s.fields.filter((f) => f.ty === t).map((f) => ({ s, f })));
    if (!cands.length) return undefined;
    const { s, f } = this.pick(cands);
    const base = this.chance(0.6) ? this.int(Math.floor((MEM_SIZE - s.size) / 8) + 1) * 8 : this.int(MEM_SIZE - s.size + 1);
    return { view: `${s.name.toLowerCase()}_at(${base})`, field: f, off: base + f.off };
  }

  /** A condition. `bare`: only tested (if, ?:, !), so an integer may stand for `!= 0`. */
  cond(d: number, bare = false): E {
    if (d > 0 && this.chance(0.2)) {
      const x = this.cond(d - 1), y = this.cond(d - 1);
      const op = this.pick(['&&', '||']);
      return { ts: `(${x.ts} ${op} ${y.ts})`, js: `(${x.js} ${op} ${y.js})` };
    }
    if (d > 0 && this.chance(0.1)) {
      const x = this.cond(d - 1, true);
      return { ts: `!(${x.ts})`, js: `!(${x.js})` };
    }
    const t = this.ty();
    if (bare && this.chance(0.1)) {
      const x = this.expr(t, d);
      if (x.lit === undefined) return x;
    }
    const x = this.expr(t, d);
    const y = this.operand(t, d);
    const op = this.pick(['==', '!=', '<', '<=', '>', '>=']);
    // TypeScript refuses comparing two literals, and narrows a bare variable compared with a
    // literal (then `a == 5 && a != 2` is a type error): convert such left operands.
    const left = /^[a-z]\w*$/i.test(x.ts) ? `${t}(${x.ts})` : x.ts;
    // A bare literal on the right takes the left operand's type: 64-bit constants that do not
    // fit an instruction's 32-bit immediate, unsigned comparisons against sign-bit constants.
    const right = y.lit !== undefined && !y.narrow && x.lit === undefined && this.chance(0.5) ? y.lit : y.ts;
    return { ts: `(${left} ${op} ${right})`, js: `(${x.js} ${op} ${y.js})` };
  }

  // ---- statements ----

  private line(ts: string, js: string): void {
    const pad = '  '.repeat(this.depth + 1);
    this.ts.push(pad + ts);
    this.js.push(pad + js);
  }

  private block(n: number, mult: number): void {
    this.scopes.push([]);
    const saved = this.mult;
    this.mult *= mult;
    this.depth++;
    for (let i = 0; i < n; i++) this.stmt();
    this.depth--;
    this.mult = saved;
    this.scopes.pop();
  }

  stmt(): void {
    this.cost += this.mult;
    const deep = this.depth >= 3 || this.cost > COST_BUDGET;
    const t = this.ty();
    switch (this.int(deep ? 7 : 13)) {
      case 0: {
        const v = { name: this.fresh('x'), ty: t, mutable: true };
        const e = this.expr(t, this.chance(0.3) ? 5 : 3); // deep ones: register pressure
        this.line(`let ${v.name}: ${t} = ${e.ts};`, `let ${v.name} = ${e.js};`);
        this.scopes[this.scopes.length - 1].push(v);
        return;
      }
      case 1: {
        const vs = this.vars(t, true);
        if (!vs.length) return this.stmt();
        const v = this.pick(vs);
        const e = this.operand(t, 3);
        this.line(`${v.name} = ${e.ts};`, `${v.name} = ${e.js};`);
        return;
      }
      case 2: {
        const vs = this.vars(t, true);
        if (!vs.length) return this.stmt();
        const v = this.pick(vs);
        const k = this.int(4);
        if (k === 0) {
          const op = this.pick(['++', '--']);
          this.line(`${v.name}${op};`, `${v.name} = W.${t}(${v.name} ${op[0]} 1n);`);
        } else if (k === 1) {
          const op = this.pick(['<<', '>>', '>>>']);
          const c = this.count(2);
          const s = this.shift(t, op, { ts: v.name, js: v.name }, c);
          this.line(`${v.name} ${op}= ${c.ts};`, `${v.name} = ${s.js};`);
        } else {
          const op = this.pick(['+', '-', '*', '&', '|', '^']);
          const e = this.operand(t, 2);
          this.line(`${v.name} ${op}= ${e.ts};`, `${v.name} = W.${t}(${v.name} ${op} (${e.js}));`);
        }
        return;
      }
      case 3: {
        const off = this.int(MEM_SIZE - size(t) + 1);
        const e = this.operand(t, 2);
        this.line(`store<${t}>(addr_of(mem), ${e.ts}, ${off});`, `ST('${t}', ${off}, ${e.js});`);
        return;
      }
      case 4: {
        const f = this.field(t);
        if (!f) return this.stmt();
        const e = this.operand(t, 2);
        if (this.chance(0.6)) {
          this.line(`${f.view}.${f.field.name} = ${e.ts};`, `ST('${t}', ${f.off}, ${e.js});`);
        } else {
          // Compound assignment to a field: the field is read before the right side runs.
          const op = this.pick(['+', '-', '*', '&', '|', '^']);
          this.line(`${f.view}.${f.field.name} ${op}= ${e.ts};`, `ST('${t}', ${f.off}, W.${t}(LD('${t}', ${f.off}) ${op} (${e.js})));`);
        }
        return;
      }
      case 5: case 6: {
        const p = this.fresh('p');
        const e = this.expr(t, 2);
        if (this.chance(0.3)) {
          this.line(`print(\`${p} \${hex(${e.ts})}\`);`, `P(\`${p} \${H('${t}', ${e.js})}\`);`);
        } else {
          const c = this.cond(1);
          this.line(`print(\`${p} \${${e.ts}} \${u32(${c.ts})}\`);`, `P(\`${p} \${${e.js}} \${B(${c.js})}\`);`);
        }
        return;
      }
      case 7: {
        const c = this.cond(2, true);
        this.line(`if (${c.ts}) {`, `if (${c.js}) {`);
        this.block(1 + this.int(3), 1);
        if (this.chance(0.5)) {
          this.line('} else {', '} else {');
          this.block(1 + this.int(3), 1);
        }
        this.line('}', '}');
        return;
      }
      case 8: {
        const k = this.fresh('k');
        const n = 1 + this.int(5);
        const kt = this.pick(['i32', 'u64', 'i64'] as const);
        this.line(`for (let ${k}: ${kt} = 0; ${k} < ${n}; ${k}++) {`, `for (let ${k} = 0n; ${k} < ${n}n; ${k}++) {`);
        this.scopes.push([{ name: k, ty: kt, mutable: false }]);
        this.block(1 + this.int(3), n);
        this.scopes.pop();
        this.line('}', '}');
        return;
      }
      case 10: {
        // A counted while loop with an early exit and a skip: control flow around wide values.
        const w = this.fresh('w');
        const n = 1 + this.int(5);
        const wt = this.pick(['i64', 'u64', 'i8'] as const);
        this.line(`let ${w}: ${wt} = ${n};`, `let ${w} = ${n}n;`);
        this.line(`while (${w} > 0) {`, `while (${w} > 0n) {`);
        this.depth++;
        this.line(`${w}--;`, `${w}--;`);
        const c1 = this.cond(1, true);
        this.line(`if (${c1.ts}) continue;`, `if (${c1.js}) continue;`);
        this.depth--;
        this.scopes.push([{ name: w, ty: wt, mutable: false }]);
        this.block(1 + this.int(2), n);
        this.depth++;
        const c2 = this.cond(1, true);
        this.line(`if (${c2.ts}) break;`, `if (${c2.js}) break;`);
        this.depth--;
        this.scopes.pop();
        this.line('}', '}');
        return;
      }
      case 11: {
        if (!this.ret) return this.stmt();
        const c = this.cond(2, true);
        const e = this.expr(this.ret, 3);
        this.line(`if (${c.ts}) return ${e.ts};`, `if (${c.js}) return ${e.js};`);
        return;
      }
      default: {
        // A switch on a wide value: the case labels take the switch expression's type.
        // TypeScript narrows a variable switched on (`switch (x)`, `switch ((x = e))`) inside
        // its cases: a nested switch on it would have labels "not comparable" to the narrowed
        // literal type. Switch on a conversion (to the same type: no effect on the value).
        const e0 = this.expr(t, 2);
        const e = { ts: `${t}(${e0.ts})`, js: e0.js };
        const labels = Array.from({ length: 3 }, () => this.value(t));
        this.line(`switch (${e.ts}) {`, `switch (${e.js}) {`);
        const seen = new Set<bigint>();
        for (const v of [...labels, undefined]) {
          if (v !== undefined && seen.has(v)) continue;
          if (v !== undefined) seen.add(v);
          if (v === undefined) this.line('default:', 'default:');
          else this.line(`case ${this.litText(t, v)}:`, `case ${v}n:`);
          this.depth++;
          this.line('{', '{');
          this.block(1, 1);
          this.line('}', '}');
          if (this.chance(0.7)) this.line('break;', 'break;');
          this.depth--;
        }
        this.line('}', '}');
      }
    }
  }

  private func(index: number): void {
    const params = Array.from({ length: this.int(9) }, () => this.ty()); // past 6: stack arguments
    const ret = this.ty();
    const name = `f${index}`;
    const vars = params.map((ty, i) => ({ name: `a${i}`, ty, mutable: true }));
    this.ts.push(`function ${name}(${vars.map((v) => `${v.name}: ${v.ty}`).join(', ')}): ${ret} {`);
    this.js.push(`function ${name}(${vars.map((v) => v.name).join(', ')}) {`);
    this.scopes = [vars];
    this.ret = ret;
    this.cost = 0;
    this.mult = 1;
    this.depth = 0;
    const n = 2 + this.int(5);
    for (let i = 0; i < n; i++) this.stmt();
    const e = this.expr(ret, 3);
    this.line(`return ${e.ts};`, `return ${e.js};`);
    this.ts.push('}', '');
    this.js.push('}', '');
    this.fns.push({ name, params, ret, cost: Math.max(1, this.cost) });
  }

  /** A struct of 2..5 fields, laid out as System V does: each field at its natural alignment. */
  private struct(index: number): void {
    const fields: Field[] = [];
    let off = 0, align = 1;
    const n = 2 + this.int(4);
    for (let i = 0; i < n; i++) {
      const ty = this.ty();
      off = Math.ceil(off / size(ty)) * size(ty);
      fields.push({ name: `m${i}`, ty, off });
      off += size(ty);
      align = Math.max(align, size(ty));
    }
    const s = { name: `S${index}`, fields, size: Math.ceil(off / align) * align };
    this.structs.push(s);
    this.ts.push(`class ${s.name} {`, ...fields.map((f) => `  ${f.name}: ${f.ty} = 0;`), '}');
    this.ts.push(`function ${s.name.toLowerCase()}_at(off: usize): ${s.name} { return changetype<${s.name}>(addr_of(mem) + off); }`);
  }

  program(printImport: string): { ts: string; js: string } {
    this.ts.push(`import { print } from "${printImport}";`, '');
    this.ts.push(`let mem!: InlineArray<u8, ${MEM_SIZE}>;`);
    for (const t of TYPES)
      this.ts.push(`function ld_${t}(off: usize): ${t} { return load<${t}>(addr_of(mem), off); }`);
    const ns = this.int(3);
    for (let i = 0; i < ns; i++) this.struct(i);
    const ng = 1 + this.int(4);
    for (let i = 0; i < ng; i++) {
      const g = { name: this.fresh('g'), ty: this.ty(), mutable: true };
      const v = this.value(g.ty);
      this.ts.push(`let ${g.name}: ${g.ty} = ${this.litText(g.ty, v)};`);
      this.js.push(`let ${g.name} = ${v}n;`);
      this.globals.push(g);
    }
    this.ts.push('');
    const nf = 1 + this.int(5);
    for (let i = 0; i < nf; i++) this.func(i);
    this.ts.push(`export function ${this.entry}(): void {`);
    this.js.push(`function main() {`);
    this.ret = undefined;
    this.scopes = [[]];
    this.cost = 0;
    this.mult = 1;
    this.depth = 0;
    for (let i = 0; i < 2 + this.int(4); i++) this.stmt();
    for (const f of this.fns) {
      const args = f.params.map((p) => this.literal(p));
      this.line(`print(\`${f.name} \${${f.name}(${args.map((a) => a.ts).join(', ')})}\`);`,
        `P(\`${f.name} \${${f.name}(${args.map((a) => a.js).join(', ')})}\`);`);
    }
    for (const g of this.globals) this.line(`print(\`${g.name} \${${g.name}}\`);`, `P(\`${g.name} \${${g.name}}\`);`);
    for (let off = 0; off < MEM_SIZE; off += 32)
      this.line(`print(\`mem ${off} \${hex(ld_u64(${off}))} \${ld_i64(${off + 8})} \${ld_i32(${off + 16})} \${ld_u64(${off + 24})}\`);`,
        `P(\`mem ${off} \${H('u64', LD('u64', ${off}))} \${LD('i64', ${off + 8})} \${LD('i32', ${off + 16})} \${LD('u64', ${off + 24})}\`);`);
    this.ts.push('}', '');
    this.js.push('}', 'main();', '');
    return { ts: this.ts.join('\n'), js: this.js.join('\n') };
  }
}

/** One random wide program: its restricted-TS source and its BigInt JavaScript rendering. */
export function generateWide(seed: number, entry = 'main', printImport = '../lib/print'): { ts: string; js: string } {
  const p = new WideGen(seed, entry).program(printImport);
  return { ts: `// Differential program (64-bit mode), seed ${seed} (tests/differential/gen-wide.ts).\n` + p.ts, js: p.js };
}
