// A generator of random, well-typed programs whose meaning is the same under node and natively.
//
// The subset is chosen so that JavaScript computes exactly what the language computes:
//   - values are i32 or u32; every arithmetic result goes straight through i32(...) or u32(...)
//     (in JS: x|0 and x>>>0), so the JS double never holds more than it can represent exactly;
//   - the multiplication rule: one operand of `*` is always masked to 16 bits (`b & 0xFFFF`), so
//     every product is below 2^48 and exact in a double before the wrap (a full 32x32 product
//     is not exact, and Math.imul would not be the same source);
//   - division and remainder divide by `(b & 0xFF) | 1` (1..255): never zero, never MIN / -1;
//   - `>>` only on i32 (JS's >> is arithmetic, the language's >> on u32 is logical); u32 uses `>>>`;
//   - compound assignment only with & | ^ on i32 (JS bitwise operators give exactly an i32);
//   - comparisons are printed through u32(...) (JS prints booleans as true/false);
//   - loops have literal trip counts, calls go only to earlier functions (no recursion), and a
//     cost budget bounds the work done by nested loops and calls;
//   - memory is a module-level InlineArray<u8, 64> accessed with load/store<T> at fixed offsets
//     (the shim backs it with an ArrayBuffer) and by indexing;
//   - a shift count that is not a literal or a variable is written `(0 + c)`: after `<<`
//     TypeScript tries type arguments first, and `f(x) << g(y > (z))` parses as a call of
//     `f(x)<<g(y>` (see count()).
// And the constructs of docs/language.md that a kernel uses in place of C's, all of which JS runs
// as TypeScript means them:
//   - an interface, a base class implementing it and a subclass overriding some of its methods
//     (with `super` calls), so that calls through the interface or a base-typed reference
//     dispatch; fields, a getter/setter pair, a static method; the objects are made with `new`
//     once, at the top of the entry function (the bump allocator of tests/conformance/lib), and
//     reach the other functions as parameters, optional ones among them (`o?.m() ?? d` when left
//     out) and `K0 | null` locals (`?.`, `??`);
//   - generic functions instantiated at i32 and u32, capture-free arrow functions (module
//     constants, and inline ones passed to a generic function), default parameter values that
//     callers may leave out;
//   - module InlineArrays of i32/u32, constant tables of integers and of structs (object
//     literals), and slices over the arrays and the memory: indexed with indices that are in range
//     by construction (a constant, a loop counter below the length, `x & (N-1)`, `x % N`), and
//     iterated with for...of.
// Everything is driven by a seeded PRNG: the same seed gives the same program.

export type Ty = 'i32' | 'u32';

/** mulberry32: small, fast, good enough for test generation, and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A variable of an integer type. `bound`: a loop counter known to stay below it. `name` may be a
 * field access (`o1.f0`, `this.f2`, `r.a`): it is used where a variable is. */
interface Var { name: string; ty: Ty; mutable: boolean; bound?: number }
/** A function parameter: an integer, or an object of the hierarchy's class `cls`. */
interface Param { ty: Ty | Cls; def?: string; optional?: boolean }
interface Fn { name: string; params: Param[]; ret: Ty; cost: number }

/** The class hierarchy: interface I0, K0 implements I0, K1 extends K0. */
type Cls = 'I0' | 'K0' | 'K1';
/** Which static types a reference of static type `from` converts to. */
const UPCASTS: Record<Cls, Cls[]> = { K1: ['K1', 'K0', 'I0'], K0: ['K0', 'I0'], I0: ['I0'] };
/** An object reference: a local or parameter of static class `cls`; nullable ones (`K0 | null`
 * locals, optional parameters) are used only through `?.` and `??`. */
interface Obj { name: string; cls: Cls; nullable: boolean }
interface Method { name: string; params: Ty[]; ret: Ty; cost: number; virtual: boolean }
interface Field { name: string; ty: Ty }
interface Hierarchy {
  methods: Method[]; // interface methods (virtual) and K0's own methods (direct)
  fields0: Field[]; // K0's
  fields1: Field[]; // K1's own
  accessor: Field & { cost: number }; // `p`: get/set over K0's first field of its type
}

/** A module array: an InlineArray (`inline`, writable), a constant table of integers, or a
 * constant table of R0 structs (`struct`: its elements have the integer fields of R_FIELDS). */
interface Arr { name: string; kind: 'inline' | 'table' | 'struct'; elem: Ty; len: number }
const R_FIELDS: Field[] = [{ name: 'a', ty: 'i32' }, { name: 'b', ty: 'u32' }, { name: 'c', ty: 'i32' }];
/** A slice local: its elements' type and length. */
interface SliceVar { name: string; elem: Ty; len: number }

const MEM_SIZE = 64;
const COST_BUDGET = 400; // rough bound on statements executed per call of a function
const MEM_TYPES = [
  { t: 'u8', size: 1 }, { t: 'i8', size: 1 }, { t: 'u16', size: 2 }, { t: 'i16', size: 2 },
  { t: 'i32', size: 4 }, { t: 'u32', size: 4 },
] as const;

/** Generic functions every program has (instantiated with written type arguments). */
const GENERICS = [
  'function gmax<T extends i64>(a: T, b: T): T { return a > b ? a : b; }',
  'function gpick<T>(c: bool, a: T, b: T): T { return c ? a : b; }',
  'function gapply<T>(f: (x: T, y: T) => T, a: T, b: T): T { return f(a, b); }',
  'function gmid<T extends i64>(a: T, b: T, c: T): T {',
  '  let lo: T = a;',
  '  let hi: T = b;',
  '  if (hi < lo) { lo = b; hi = a; }',
  '  return c < lo ? lo : c > hi ? hi : c;',
  '}',
  'function ssum(s: Slice<i32>): i32 {',
  '  let t: i32 = 0;',
  '  for (const v of s) t = i32(t + v);',
  '  return t;',
  '}',
];

class Gen {
  private rand: () => number;
  private out: string[] = [];
  private fns: Fn[] = [];
  private lambdas: Fn[] = [];
  private globals: Var[] = [];
  private scopes: Var[][] = [];
  private objs: Obj[] = []; // the object references of the function being generated
  private slices: SliceVar[] = [];
  private arrays: Arr[] = [];
  private h: Hierarchy | undefined;
  private counter = 0;
  private cost = 0; // cost of the function being generated
  private mult = 1; // how many times the current statement runs per call (loop trip products)
  private depth = 0; // statement nesting
  private indent = 1; // indentation of depth 0

  constructor(seed: number, private entry: string) {
    this.rand = prng(seed);
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
  private ty(): Ty {
    return this.pick(['i32', 'u32'] as const);
  }

  literal(ty: Ty): string {
    const special = ty === 'i32'
      ? ['0', '1', '-1', '2', '-2147483648', '2147483647', '2147483646', '-7', '255', '65535', '0x7FFF']
      : ['0', '1', '2', '0xFFFFFFFF', '0xFFFFFFFE', '0x80000000', '0x7FFFFFFF', '255', '65536', '0xDEADBEEF'];
    if (this.chance(0.4)) return ty === 'u32' ? this.u32Literal(this.pick(special)) : this.pick(special);
    if (this.chance(0.5)) return String(this.int(100));
    const v = this.int(0x100000000);
    return ty === 'i32' ? String(v | 0) : this.u32Literal('0x' + v.toString(16).toUpperCase());
  }

  /** A u32 literal >= 2^31 is an i64 where nothing gives it a type (both operands literals):
   * convert it so that every operand of the generated expressions has the intended type. */
  private u32Literal(text: string): string {
    return BigInt(text) > 0x7fffffffn ? `u32(${text})` : text;
  }

  /** A literal that a typed context (a field, a table entry, a default value) takes as is. */
  private constant(ty: Ty): string {
    return this.literal(ty).replace(/^u32\((.*)\)$/, '$1');
  }

  private vars(ty: Ty, mutableOnly = false): Var[] {
    const all = [...this.globals, ...this.scopes.flat()];
    return all.filter((v) => v.ty === ty && (!mutableOnly || v.mutable));
  }

  private memAccess(): { t: string; size: number; off: number } {
    const m = this.pick(MEM_TYPES);
    return { ...m, off: this.int(MEM_SIZE / m.size) * m.size };
  }

  /** Arguments for `params`, or undefined when an object parameter has no reference to take. */
  private args(params: Param[], d: number): string | undefined {
    const out: string[] = [];
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      // Trailing parameters with defaults, or optional, may be left out.
      if ((p.def !== undefined || p.optional) && params.slice(i).every((q) => q.def !== undefined || q.optional) && this.chance(0.4)) break;
      if (p.ty === 'i32' || p.ty === 'u32') {
        out.push(this.expr(p.ty, d));
        continue;
      }
      const cls = p.ty;
      const cands = this.objs.filter((o) => !o.nullable && UPCASTS[o.cls].includes(cls));
      if (!cands.length) return undefined;
      out.push(this.pick(cands).name);
    }
    return out.join(', ');
  }

  /** A call of one of `fns` returning ty within the cost budget, or undefined. */
  private call(fns: Fn[], ty: Ty, d: number): string | undefined {
    const callees = fns.filter((f) => f.ret === ty && this.cost + this.mult * f.cost <= COST_BUDGET);
    if (!callees.length) return undefined;
    const f = this.pick(callees);
    const args = this.args(f.params, d);
    if (args === undefined) return undefined;
    this.cost += this.mult * f.cost;
    return `${f.name}(${args})`;
  }

  /** An index into `len` elements that is in range by construction. */
  private index(len: number, d: number): string {
    const counters = this.scopes.flat().filter((v) => v.bound !== undefined && v.bound <= len);
    if (counters.length && this.chance(0.4)) return this.pick(counters).name;
    if (this.chance(0.3)) return String(this.int(len));
    if ((len & (len - 1)) === 0) return `(${this.nonLiteral('i32', d)} & ${len - 1})`;
    return `(${this.nonLiteral('u32', d)} % ${len})`;
  }

  /** An element (or an element's field) of a module array or a slice in scope, of type ty. */
  private element(ty: Ty, d: number): string | undefined {
    const cands: string[] = [];
    for (const a of this.arrays) {
      if (a.kind === 'struct') {
        for (const f of R_FIELDS) if (f.ty === ty) cands.push(`${a.name}[${this.index(a.len, d)}].${f.name}`);
      } else if (a.elem === ty) {
        cands.push(`${a.name}[${this.index(a.len, d)}]`);
      }
    }
    for (const s of this.slices) if (s.elem === ty && s.len > 0) cands.push(`${s.name}[${this.index(s.len, d)}]`);
    return cands.length ? this.pick(cands) : undefined;
  }

  /** An expression over the class hierarchy's objects, of type ty, or undefined. */
  private objectExpr(ty: Ty, d: number): string | undefined {
    const h = this.h;
    if (!h) return undefined;
    const k = this.int(5);
    if (k === 0) return this.call([this.staticFn()], ty, d); // a static method
    const objs = this.objs.filter((o) => (k === 4) === o.nullable);
    if (!objs.length) return undefined;
    const o = this.pick(objs);
    const methods = h.methods.filter((m) => m.ret === ty && (m.virtual || o.cls !== 'I0') &&
      this.cost + this.mult * m.cost <= COST_BUDGET);
    if (k === 4) {
      // `?.` on a nullable reference ends in `??`; or `??` picks a non-null reference.
      const other = this.objs.filter((q) => !q.nullable && UPCASTS[q.cls].includes(o.cls));
      if (other.length && this.chance(0.4)) {
        const q = this.pick(other);
        if (o.cls !== 'I0' && this.chance(0.5)) {
          const fs = h.fields0.filter((f) => f.ty === ty);
          if (fs.length) return `(${o.name} ?? ${q.name}).${this.pick(fs).name}`;
        }
        return this.method(`(${o.name} ?? ${q.name})`, methods, d);
      }
      const m = this.method(`${o.name}?`, methods, d);
      return m && `(${m} ?? ${ty}(${this.literal(ty)}))`;
    }
    if (k === 1 && o.cls !== 'I0' && h.accessor.ty === ty) return `${o.name}.${h.accessor.name}`;
    return this.method(o.name, methods, d);
  }

  private method(recv: string, methods: Method[], d: number): string | undefined {
    if (!methods.length) return undefined;
    const m = this.pick(methods);
    this.cost += this.mult * m.cost;
    return `${recv}.${m.name}(${m.params.map((p) => this.expr(p, d)).join(', ')})`;
  }

  private staticFn(): Fn {
    return this.fns.find((f) => f.name === 'K0.s0')!;
  }

  /** An expression of type `ty`; `d` bounds the nesting. */
  expr(ty: Ty, d: number): string {
    const other: Ty = ty === 'i32' ? 'u32' : 'i32';
    if (d <= 0 || this.chance(0.25)) {
      const vs = this.vars(ty);
      return vs.length && this.chance(0.7) ? this.pick(vs).name : this.literal(ty);
    }
    const a = () => this.expr(ty, d - 1);
    switch (this.int(17)) {
      case 0: case 1: return `${ty}(${a()} ${this.pick(['+', '-', '&', '|', '^'])} ${a()})`;
      case 2: return `${ty}(${a()} * (${a()} & 0xFFFF))`;
      case 3: return `${ty}(${a()} ${this.pick(['/', '%'])} ((${a()} & 0xFF) | 1))`;
      case 4: return `${ty}(${a()} ${this.pick(ty === 'i32' ? ['<<', '>>', '>>>'] : ['<<', '>>>'])} ${this.count(d - 1)})`;
      case 5: return `${ty}(${this.pick(['-', '~'])}(${this.nonLiteral(ty, d - 1)}))`;
      case 6: return `${ty}(${this.nonLiteral(other, d - 1)})`;
      case 7: return `(${this.cond(d - 1, true)} ? ${this.nonLiteral(ty, d - 1)} : ${a()})`; // two literal branches would be i32
      case 8: return `${ty}(${this.cond(d - 1)})`;
      case 9: {
        const m = this.memAccess();
        return `${ty}(ld_${m.t}(${m.off}))`; // TS misparses `a << f(load<T>(...))`: helpers avoid it
      }
      case 10: return this.chance(0.5) ? `${ty}(mem[${this.int(MEM_SIZE)}])` : `${ty}(mem[${this.index(MEM_SIZE, d - 1)}])`;
      case 11: return this.element(ty, d - 1) ?? a();
      case 12: return this.objectExpr(ty, d - 1) ?? a();
      case 13: {
        // Generic functions, instantiated at ty.
        const k = this.int(4);
        if (k === 0) return `gmax<${ty}>(${a()}, ${a()})`;
        if (k === 1) return `gpick<${ty}>(${this.cond(d - 1)}, ${a()}, ${a()})`;
        if (k === 2) return `gmid<${ty}>(${a()}, ${a()}, ${a()})`;
        return `gapply<${ty}>(${this.arrow(ty)}, ${a()}, ${a()})`;
      }
      case 14: return this.call(this.lambdas, ty, d - 1) ?? a();
      case 15: {
        if (ty !== 'i32' || this.arrays.every((x) => x.kind !== 'inline' || x.elem !== 'i32')) return a();
        const arr = this.pick(this.arrays.filter((x) => x.kind === 'inline' && x.elem === 'i32'));
        const start = this.int(arr.len);
        const n = this.int(arr.len - start + 1);
        return `ssum(slice<i32>(addr_of(${arr.name}) + ${4 * start}, ${n}))`;
      }
      default: return this.call(this.fns, ty, d - 1) ?? a();
    }
  }

  /** A shift count. After `<<`, TypeScript tries type arguments first (`f(x) << g(y > (z))` is
   * `f(x)<<g(y>`...), and a count in plain parentheses is not always enough: in `(0 + c)` no
   * type can start. */
  private count(d: number): string {
    const c = this.expr(this.ty(), d);
    return /^(0x[0-9a-f]+|[0-9]+|[a-z]\w*)$/i.test(c) ? c : `(0 + ${c})`;
  }

  /** A function value of type (ty, ty) => ty: a module arrow function of that type, or an
   * arrow written in place, whose parameter types come from gapply's parameter. */
  private arrow(ty: Ty): string {
    const mine = this.lambdas.filter((f) => f.ret === ty && f.params.length === 2 && f.params.every((p) => p.ty === ty));
    if (mine.length && this.chance(0.4)) return this.pick(mine).name;
    const x = this.fresh('y'), y = this.fresh('y');
    return `(${x}, ${y}) => ${this.captureFree([{ name: x, ty, mutable: false }, { name: y, ty, mutable: false }], ty)}`;
  }

  /** An expression over `params` and module state only: the body of an arrow function. */
  private captureFree(params: Var[], ty: Ty): string {
    const saved = { scopes: this.scopes, objs: this.objs, slices: this.slices, cost: this.cost };
    this.scopes = [params];
    this.objs = [];
    this.slices = [];
    this.cost = COST_BUDGET; // no calls: the arrow's cost is not accounted
    const e = this.expr(ty, 2);
    Object.assign(this, saved);
    return e;
  }

  /** A condition. `bare`: its value is only tested (if, ?:, !), so an integer may stand for
   * `!= 0`; elsewhere (under && and ||, or converted with u32()) JS would yield the integer
   * itself rather than a bool, so integers are written `!!x` there. */
  cond(d: number, bare = false): string {
    const ty: Ty = this.ty();
    if (d > 0 && this.chance(0.2)) return `(${this.cond(d - 1)} ${this.pick(['&&', '||'])} ${this.cond(d - 1)})`;
    if (d > 0 && this.chance(0.1)) return `!(${this.cond(d - 1, true)})`;
    if (this.chance(0.1)) return bare ? this.nonLiteral(ty, d) : `!!${this.nonLiteral(ty, d)}`;
    // A bare variable (or field) compared with a literal would be narrowed by TypeScript to the
    // literal's type inside && chains (then `a == 52 && a != 2` is a type error): compare a conversion.
    const left = this.nonLiteral(ty, d);
    const l = /^[a-z][\w.]*$/i.test(left) ? `${ty}(${left})` : left;
    return `${l} ${this.pick(['==', '!=', '<', '<=', '>', '>='])} ${this.expr(ty, d)}`;
  }

  /** An expression that is not a bare literal: TypeScript rejects comparing two literals and a
   * literal as a condition, and a literal directly inside a conversion or under unary minus
   * would be typed by that context (and must fit it); `ty(literal)` says what is meant. */
  private nonLiteral(ty: Ty, d: number): string {
    const e = this.expr(ty, d);
    return /^-?(0x[0-9a-f]+|[0-9]+)$/i.test(e) ? `${ty}(${e})` : e;
  }

  private line(s: string): void {
    this.out.push('  '.repeat(this.depth + this.indent) + s);
  }

  private block(n: number, mult: number, vars: Var[] = []): void {
    this.scopes.push(vars);
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
    const k = this.int(deep ? 6 : 13);
    const ty: Ty = this.ty();
    switch (k) {
      case 0: {
        const v = { name: this.fresh('x'), ty, mutable: true };
        this.line(`let ${v.name}: ${ty} = ${this.expr(ty, 3)};`);
        this.scopes[this.scopes.length - 1].push(v);
        return;
      }
      case 1: {
        const vs = this.vars(ty, true);
        if (!vs.length) return this.stmt();
        const v = this.pick(vs);
        if (ty === 'i32' && this.chance(0.3)) this.line(`${v.name} ${this.pick(['&=', '|=', '^='])} ${this.expr(ty, 2)};`);
        else this.line(`${v.name} = ${this.expr(ty, 3)};`);
        return;
      }
      case 2: {
        const m = this.memAccess();
        this.line(`store<${m.t}>(addr_of(mem), ${m.t}(${this.nonLiteral(ty, 2)}), ${m.off});`);
        return;
      }
      case 3:
        this.line(`mem[${this.chance(0.5) ? this.int(MEM_SIZE) : this.index(MEM_SIZE, 1)}] = u8(${this.nonLiteral(ty, 2)});`);
        return;
      case 4:
        this.line(`print(\`${this.fresh('p')} \${${this.expr(ty, 2)}} \${u32(${this.cond(1)})}\`);`);
        return;
      case 5: {
        // A write to an element of an InlineArray or a slice, or through a setter.
        const targets = [
          ...this.arrays.filter((x) => x.kind === 'inline').map((x) => ({ name: x.name, elem: x.elem, len: x.len })),
          ...this.slices.filter((x) => x.len > 0),
        ];
        const setters = this.h ? this.objs.filter((o) => !o.nullable && o.cls !== 'I0') : [];
        if (setters.length && this.chance(0.3)) {
          const acc = this.h!.accessor;
          this.line(`${this.pick(setters).name}.${acc.name} = ${this.expr(acc.ty, 2)};`);
          this.cost += this.mult * acc.cost;
          return;
        }
        if (!targets.length) return this.stmt();
        const t = this.pick(targets);
        this.line(`${t.name}[${this.index(t.len, 1)}] = ${this.expr(t.elem, 2)};`);
        return;
      }
      case 6: case 7: {
        this.line(`if (${this.cond(2, true)}) {`);
        this.block(1 + this.int(3), 1);
        if (this.chance(0.5)) {
          this.line('} else {');
          this.block(1 + this.int(3), 1);
        }
        this.line('}');
        return;
      }
      case 8: {
        const i = this.fresh('k'); // not 'i': i8, i16, i32 would shadow the conversions
        const n = 1 + this.int(6);
        this.line(`for (let ${i}: i32 = 0; ${i} < ${n}; ${i}++) {`);
        this.block(1 + this.int(3), n, [{ name: i, ty: 'i32', mutable: false, bound: n }]);
        this.line('}');
        return;
      }
      case 9: {
        const w = this.fresh('w');
        const n = 1 + this.int(5);
        this.line(`let ${w}: u32 = 0;`);
        this.line(`while (${w} < ${n}) {`);
        this.depth++;
        this.line(`${w}++;`);
        this.depth--;
        this.block(1 + this.int(2), n, [{ name: w, ty: 'u32', mutable: false }]);
        this.line('}');
        return;
      }
      case 10: case 11: return this.forOf();
      default: {
        this.line(`switch (${this.expr('i32', 2)} & 3) {`);
        for (let c = 0; c < 4; c++) {
          if (c === 3 && this.chance(0.5)) {
            this.line('default:');
          } else {
            if (this.chance(0.2)) continue;
            this.line(`case ${c}:`);
          }
          this.depth++;
          this.line('{');
          this.block(1, 1);
          this.line('}');
          if (this.chance(0.7)) this.line('break;');
          this.depth--;
        }
        this.line('}');
      }
    }
  }

  /** for...of over a module array, a table of structs, or a slice made here (in a block of its
   * own, where the body may also index it). */
  private forOf(): void {
    const e = this.fresh('e');
    const k = this.int(3);
    if (k < 2 && this.arrays.length) {
      const arr = this.pick(this.arrays);
      this.line(`for (const ${e} of ${arr.name}) {`);
      const vars = arr.kind === 'struct'
        ? R_FIELDS.map((f) => ({ name: `${e}.${f.name}`, ty: f.ty, mutable: false }))
        : [{ name: e, ty: arr.elem, mutable: false }];
      this.block(1 + this.int(2), arr.len, vars);
      this.line('}');
      return;
    }
    const s = this.fresh('s');
    let elem: Ty, len: number, init: string;
    const inline = this.arrays.filter((x) => x.kind === 'inline'); // the shim has no address for a table
    if (inline.length && this.chance(0.5)) {
      const arr = this.pick(inline);
      elem = arr.elem;
      if (this.chance(0.5)) {
        len = arr.len;
        init = `as_slice(${arr.name})`;
      } else {
        const start = this.int(arr.len);
        len = this.int(arr.len - start + 1);
        init = `slice<${elem}>(addr_of(${arr.name}) + ${4 * start}, ${len})`;
      }
    } else {
      elem = this.ty();
      const start = this.int(MEM_SIZE / 4);
      len = this.int(MEM_SIZE / 4 - start + 1);
      init = `slice<${elem}>(addr_of(mem) + ${4 * start}, ${len})`;
    }
    this.line('{');
    this.depth++;
    this.line(`const ${s} = ${init};`);
    this.slices.push({ name: s, elem, len });
    this.line(`for (const ${e} of ${s}) {`);
    this.block(1 + this.int(2), len, [{ name: e, ty: elem, mutable: false }]);
    this.line('}');
    this.slices.pop();
    this.depth--;
    this.line('}');
  }

  /** Statements and a return: the body of a function or method whose scope is `vars`. */
  private body(vars: Var[], ret: Ty | undefined, n: number): number {
    this.scopes = [vars];
    this.cost = 0;
    this.mult = 1;
    this.depth = 0;
    for (let i = 0; i < n; i++) this.stmt();
    if (ret) this.line(`return ${this.expr(ret, 3)};`);
    return Math.max(1, this.cost);
  }

  private params(n: number, objects: boolean): Param[] {
    const ps: Param[] = Array.from({ length: n }, () => ({ ty: this.ty() }));
    if (objects && this.h) {
      if (this.chance(0.5)) ps.push({ ty: this.pick(['I0', 'K0', 'K1'] as const) });
      if (this.chance(0.3)) ps.push({ ty: this.pick(['I0', 'K0'] as const), optional: true });
    }
    // Defaults on trailing integer parameters.
    for (let i = ps.length - 1; i >= 0 && (ps[i].ty === 'i32' || ps[i].ty === 'u32') && this.chance(0.3); i--) {
      ps[i].def = this.constant(ps[i].ty as Ty);
    }
    return ps;
  }

  /** Declares `params` as a0.. (integers) and o0.. (objects) and returns their text. */
  private declare(params: Param[]): { text: string; vars: Var[]; objs: Obj[] } {
    const vars: Var[] = [];
    const objs: Obj[] = [];
    const text = params.map((p, i) => {
      if (p.ty === 'i32' || p.ty === 'u32') {
        vars.push({ name: `a${i}`, ty: p.ty, mutable: true });
        return `a${i}: ${p.ty}${p.def !== undefined ? ` = ${p.def}` : ''}`;
      }
      objs.push({ name: `a${i}`, cls: p.ty, nullable: !!p.optional });
      return `a${i}${p.optional ? '?' : ''}: ${p.ty}`;
    });
    return { text: text.join(', '), vars, objs };
  }

  private func(index: number): void {
    const params = this.params(this.int(5), true);
    const ret: Ty = this.ty();
    const name = `f${index}`;
    const d = this.declare(params);
    this.out.push(`function ${name}(${d.text}): ${ret} {`);
    this.objs = d.objs;
    this.indent = 1;
    const cost = this.body([...d.vars, ...this.fieldVars(d.objs)], ret, 2 + this.int(5));
    this.objs = [];
    this.out.push('}', '');
    this.fns.push({ name, params, ret, cost });
  }

  /** The fields of non-null object references, as variables. */
  private fieldVars(objs: Obj[]): Var[] {
    const h = this.h;
    if (!h) return [];
    return objs.filter((o) => !o.nullable && o.cls !== 'I0').flatMap((o) =>
      [...h.fields0, ...(o.cls === 'K1' ? h.fields1 : [])].map((f) => ({ name: `${o.name}.${f.name}`, ty: f.ty, mutable: true })));
  }

  /** A method of K0 or K1 (an override when `base` is given: it may call `super`). */
  private methodText(m: Method, fields: Field[], base: boolean): number {
    const vars = m.params.map((ty, i) => ({ name: `a${i}`, ty, mutable: true }));
    this.out.push(`  ${m.name}(${vars.map((v) => `${v.name}: ${v.ty}`).join(', ')}): ${m.ret} {`);
    this.indent = 2;
    this.body([...vars, ...fields.map((f) => ({ name: `this.${f.name}`, ty: f.ty, mutable: true }))], undefined, 1 + this.int(4));
    const e = this.expr(m.ret, 3);
    if (base && this.chance(0.6)) this.line(`return ${m.ret}(super.${m.name}(${vars.map((v) => v.name).join(', ')}) ^ ${e});`);
    else this.line(`return ${e};`);
    this.out.push('  }');
    return Math.max(1, this.cost);
  }

  /** The interface, its two classes and their methods, accessors and static method. */
  private hierarchy(): void {
    const fields0: Field[] = Array.from({ length: 2 + this.int(3) }, (_, i) => ({ name: `f${i}`, ty: this.ty() }));
    const fields1: Field[] = Array.from({ length: 1 + this.int(2) }, (_, i) => ({ name: `g${i}`, ty: this.ty() }));
    const methods: Method[] = Array.from({ length: 1 + this.int(3) }, (_, i) => ({
      name: `m${i}`, params: Array.from({ length: this.int(3) }, () => this.ty()), ret: this.ty(), cost: 1, virtual: i === 0 || this.chance(0.6),
    }));
    const acc = fields0[0];
    const h: Hierarchy = { methods: [], fields0, fields1, accessor: { name: 'p', ty: acc.ty, cost: 1 } };
    this.out.push('interface I0 {');
    for (const m of methods.filter((x) => x.virtual)) {
      this.out.push(`  ${m.name}(${m.params.map((t, i) => `a${i}: ${t}`).join(', ')}): ${m.ret};`);
    }
    this.out.push('}', '');
    const acc2 = (fields: Field[]) => {
      const v = { name: 'v', ty: acc.ty, mutable: false };
      const thisFields = fields.map((f) => ({ name: `this.${f.name}`, ty: f.ty, mutable: false }));
      const saved = this.cost;
      this.cost = COST_BUDGET; // accessors call nothing
      this.scopes = [thisFields];
      this.out.push(`  get p(): ${acc.ty} {`, `    return ${this.expr(acc.ty, 2)};`, '  }');
      this.scopes = [[v, ...thisFields]];
      this.out.push(`  set p(v: ${acc.ty}) {`, `    this.${acc.name} = ${this.expr(acc.ty, 2)};`, '  }');
      this.cost = saved;
    };

    this.out.push('class K0 implements I0 {');
    for (const f of fields0) this.out.push(`  ${f.name}: ${f.ty} = ${this.constant(f.ty)};`);
    for (const m of methods) m.cost = this.methodText(m, fields0, false);
    acc2(fields0);
    const sp = this.params(this.int(3), false);
    const sd = this.declare(sp);
    const sret = this.ty();
    this.out.push(`  static s0(${sd.text}): ${sret} {`);
    this.indent = 2;
    const scost = this.body(sd.vars, sret, 1 + this.int(3));
    this.out.push('  }', '}', '');

    this.out.push('class K1 extends K0 {');
    for (const f of fields1) this.out.push(`  ${f.name}: ${f.ty} = ${this.constant(f.ty)};`);
    // K1 overrides some of the virtual methods; the rest it inherits.
    for (const m of methods.filter((x) => x.virtual && this.chance(0.7))) {
      m.cost = Math.max(m.cost, this.methodText(m, [...fields0, ...fields1], true) + m.cost);
    }
    if (this.chance(0.5)) acc2([...fields0, ...fields1]);
    this.out.push('}', '');
    h.methods = methods;
    this.h = h;
    this.fns.push({ name: 'K0.s0', params: sp, ret: sret, cost: scost });
  }

  /** Module arrays: InlineArrays, constant tables of integers and of R0 structs. */
  private arraysDecl(): void {
    const n = this.int(4);
    for (let i = 0; i < n; i++) {
      const kind = this.pick(['inline', 'table', 'struct'] as const);
      const elem = this.ty();
      const len = kind === 'inline' ? this.pick([4, 5, 8, 16]) : 1 + this.int(7);
      const name = kind === 'inline' ? `arr${i}` : kind === 'table' ? `TAB${i}` : `REC${i}`;
      if (kind === 'inline') {
        this.out.push(`let ${name}!: InlineArray<${elem}, ${len}>;`);
      } else if (kind === 'table') {
        this.out.push(`const ${name}: ${elem}[] = [${Array.from({ length: len }, () => this.constant(elem)).join(', ')}];`);
      } else {
        if (!this.arrays.some((x) => x.kind === 'struct')) {
          this.out.push(`class R0 { ${R_FIELDS.map((f) => `${f.name}: ${f.ty} = 0;`).join(' ')} }`);
        }
        this.out.push(`const ${name}: R0[] = [`);
        for (let j = 0; j < len; j++) this.out.push(`  { ${R_FIELDS.map((f) => `${f.name}: ${this.constant(f.ty)}`).join(', ')} },`);
        this.out.push('];');
      }
      this.arrays.push({ name, kind, elem, len });
    }
  }

  /** Module arrow functions: constant function addresses, called directly or passed to gapply. */
  private lambdaDecl(index: number): void {
    const ty = this.ty();
    const params = Array.from({ length: 1 + this.int(3) }, () => (this.chance(0.7) ? ty : this.ty()));
    const ret = this.chance(0.7) ? ty : this.ty();
    const vars = params.map((t) => ({ name: this.fresh('y'), ty: t, mutable: false }));
    const name = `lam${index}`;
    this.out.push(`const ${name} = (${vars.map((v) => `${v.name}: ${v.ty}`).join(', ')}): ${ret} => ${this.captureFree(vars, ret)};`);
    this.lambdas.push({ name, params: params.map((t) => ({ ty: t })), ret, cost: 1 });
  }

  program(printImport: string): string {
    const objects = this.chance(0.6);
    this.out.push(`import { print } from "${printImport}";`);
    if (objects) this.out.push(`import { bump_used } from "${printImport.replace(/print$/, 'bump')}";`);
    this.out.push('');
    this.out.push(`let mem!: InlineArray<u8, ${MEM_SIZE}>;`);
    for (const m of MEM_TYPES)
      this.out.push(`function ld_${m.t}(off: usize): ${m.t} { return load<${m.t}>(addr_of(mem), off); }`);
    this.out.push(...GENERICS);
    const ng = 1 + this.int(4);
    for (let i = 0; i < ng; i++) {
      const g = { name: this.fresh('g'), ty: this.ty(), mutable: true };
      this.out.push(`let ${g.name}: ${g.ty} = ${this.literal(g.ty)};`);
      this.globals.push(g);
    }
    this.arraysDecl();
    const nl = this.int(3);
    for (let i = 0; i < nl; i++) this.lambdaDecl(i);
    this.out.push('');
    // Functions before the classes (their methods may call them), then functions that take objects.
    const nf = 1 + this.int(5);
    const before = objects ? this.int(nf + 1) : nf;
    for (let i = 0; i < before; i++) this.func(i);
    if (objects) this.hierarchy();
    for (let i = before; i < nf; i++) this.func(i);
    this.out.push(`export function ${this.entry}(): void {`);
    this.indent = 1;
    this.depth = 0;
    this.objs = [];
    this.scopes = [[]];
    if (objects) {
      // Every static type, and a K1 seen as K0 and as I0 (dispatch), and nullable references.
      const made: [string, Cls, string][] = [['o0', 'K0', 'K0'], ['o1', 'K1', 'K1'], ['o2', 'K0', 'K1'], ['o3', 'I0', this.pick(['K0', 'K1'])]];
      for (const [name, cls, dyn] of made) {
        this.line(`const ${name}: ${cls} = new ${dyn}();`);
        this.objs.push({ name, cls, nullable: false });
      }
      for (const name of ['n0', 'n1']) {
        this.line(`const ${name}: K0 | null = ${this.cond(1, true)} ? ${this.pick(['o0', 'o1', 'o2'])} : null;`);
        this.objs.push({ name, cls: 'K0', nullable: true });
      }
    }
    this.scopes = [this.fieldVars(this.objs)];
    this.cost = 0;
    this.mult = 1;
    for (let i = 0; i < 2 + this.int(4); i++) this.stmt();
    for (const f of this.fns) {
      const args = this.args(f.params, 0);
      if (args === undefined) continue;
      this.line(`print(\`${f.name} \${${f.name}(${args})}\`);`);
    }
    for (const g of this.globals) this.line(`print(\`${g.name} \${${g.name}}\`);`);
    for (const v of this.scopes[0]) this.line(`print(\`${v.name} \${${v.name}}\`);`);
    for (const a of this.arrays.filter((x) => x.kind === 'inline')) {
      this.line(`print(\`${a.name} ${Array.from({ length: a.len }, (_, i) => `\${${a.name}[${i}]}`).join(' ')}\`);`);
    }
    this.line(`print(\`mem \${ld_u32(0)} \${ld_i32(60)} \${ld_u16(30)} \${ld_i8(7)}\`);`);
    if (objects) this.line('bump_used();');
    this.out.push('}', '');
    return this.out.join('\n');
  }
}

/** One random program. `entry` is the exported function that runs it (`main` for a standalone). */
export function generateProgram(seed: number, entry = 'main', printImport = '../lib/print'): string {
  return `// Differential program, seed ${seed} (tests/differential/gen.ts).\n` + new Gen(seed, entry).program(printImport);
}
