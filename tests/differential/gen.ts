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
//     (the shim backs it with an ArrayBuffer) and by indexing.
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

interface Var { name: string; ty: Ty; mutable: boolean }
interface Fn { name: string; params: Ty[]; ret: Ty; cost: number }

const MEM_SIZE = 64;
const COST_BUDGET = 400; // rough bound on statements executed per call of a function
const MEM_TYPES = [
  { t: 'u8', size: 1 }, { t: 'i8', size: 1 }, { t: 'u16', size: 2 }, { t: 'i16', size: 2 },
  { t: 'i32', size: 4 }, { t: 'u32', size: 4 },
] as const;

class Gen {
  private rand: () => number;
  private out: string[] = [];
  private fns: Fn[] = [];
  private globals: Var[] = [];
  private scopes: Var[][] = [];
  private counter = 0;
  private cost = 0; // cost of the function being generated
  private mult = 1; // how many times the current statement runs per call (loop trip products)
  private depth = 0; // statement nesting

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

  private vars(ty: Ty, mutableOnly = false): Var[] {
    const all = [...this.globals, ...this.scopes.flat()];
    return all.filter((v) => v.ty === ty && (!mutableOnly || v.mutable));
  }

  private memAccess(): { t: string; size: number; off: number } {
    const m = this.pick(MEM_TYPES);
    return { ...m, off: this.int(MEM_SIZE / m.size) * m.size };
  }

  /** An expression of type `ty`; `d` bounds the nesting. */
  expr(ty: Ty, d: number): string {
    const other: Ty = ty === 'i32' ? 'u32' : 'i32';
    if (d <= 0 || this.chance(0.25)) {
      const vs = this.vars(ty);
      return vs.length && this.chance(0.7) ? this.pick(vs).name : this.literal(ty);
    }
    const a = () => this.expr(ty, d - 1);
    switch (this.int(12)) {
      case 0: case 1: return `${ty}(${a()} ${this.pick(['+', '-', '&', '|', '^'])} ${a()})`;
      case 2: return `${ty}(${a()} * (${a()} & 0xFFFF))`;
      case 3: return `${ty}(${a()} ${this.pick(['/', '%'])} ((${a()} & 0xFF) | 1))`;
      case 4: return `${ty}(${a()} ${this.pick(ty === 'i32' ? ['<<', '>>', '>>>'] : ['<<', '>>>'])} ${a()})`;
      case 5: return `${ty}(${this.pick(['-', '~'])}(${this.nonLiteral(ty, d - 1)}))`;
      case 6: return `${ty}(${this.nonLiteral(other, d - 1)})`;
      case 7: return `(${this.cond(d - 1, true)} ? ${this.nonLiteral(ty, d - 1)} : ${a()})`; // two literal branches would be i32
      case 8: return `${ty}(${this.cond(d - 1)})`;
      case 9: {
        const m = this.memAccess();
        return `${ty}(ld_${m.t}(${m.off}))`; // TS misparses `a << f(load<T>(...))`: helpers avoid it
      }
      case 10: return `${ty}(mem[${this.int(MEM_SIZE)}])`;
      default: {
        const callees = this.fns.filter((f) => f.ret === ty && this.cost + this.mult * f.cost <= COST_BUDGET);
        if (!callees.length) return a();
        const f = this.pick(callees);
        this.cost += this.mult * f.cost;
        return `${f.name}(${f.params.map((p) => this.expr(p, d - 1)).join(', ')})`;
      }
    }
  }

  /** A condition. `bare`: its value is only tested (if, ?:, !), so an integer may stand for
   * `!= 0`; elsewhere (under && and ||, or converted with u32()) JS would yield the integer
   * itself rather than a bool, so integers are written `!!x` there. */
  cond(d: number, bare = false): string {
    const ty: Ty = this.pick(['i32', 'u32'] as const);
    if (d > 0 && this.chance(0.2)) return `(${this.cond(d - 1)} ${this.pick(['&&', '||'])} ${this.cond(d - 1)})`;
    if (d > 0 && this.chance(0.1)) return `!(${this.cond(d - 1, true)})`;
    if (this.chance(0.1)) return bare ? this.nonLiteral(ty, d) : `!!${this.nonLiteral(ty, d)}`;
    // A bare variable compared with a literal would be narrowed by TypeScript to the literal's
    // type inside && chains (then `a == 52 && a != 2` is a type error): compare a conversion.
    const left = this.nonLiteral(ty, d);
    const l = /^[a-z]\w*$/i.test(left) ? `${ty}(${left})` : left;
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
    this.out.push('  '.repeat(this.depth + 1) + s);
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
    const k = this.int(deep ? 5 : 10);
    const ty: Ty = this.pick(['i32', 'u32'] as const);
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
        this.line(`mem[${this.int(MEM_SIZE)}] = u8(${this.nonLiteral(ty, 2)});`);
        return;
      case 4:
        this.line(`print(\`${this.fresh('p')} \${${this.expr(ty, 2)}} \${u32(${this.cond(1)})}\`);`);
        return;
      case 5: case 6: {
        this.line(`if (${this.cond(2, true)}) {`);
        this.block(1 + this.int(3), 1);
        if (this.chance(0.5)) {
          this.line('} else {');
          this.block(1 + this.int(3), 1);
        }
        this.line('}');
        return;
      }
      case 7: {
        const i = this.fresh('k'); // not 'i': i8, i16, i32 would shadow the conversions
        const n = 1 + this.int(6);
        this.line(`for (let ${i}: i32 = 0; ${i} < ${n}; ${i}++) {`);
        this.scopes.push([{ name: i, ty: 'i32', mutable: false }]);
        this.block(1 + this.int(3), n);
        this.scopes.pop();
        this.line('}');
        return;
      }
      case 8: {
        const w = this.fresh('w');
        const n = 1 + this.int(5);
        this.line(`let ${w}: u32 = 0;`);
        this.line(`while (${w} < ${n}) {`);
        this.depth++;
        this.line(`${w}++;`);
        this.depth--;
        this.scopes.push([{ name: w, ty: 'u32', mutable: false }]);
        this.block(1 + this.int(2), n);
        this.scopes.pop();
        this.line('}');
        return;
      }
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

  private func(index: number): void {
    const params: Ty[] = Array.from({ length: this.int(5) }, () => this.pick(['i32', 'u32'] as const));
    const ret: Ty = this.pick(['i32', 'u32'] as const);
    const name = `f${index}`;
    const vars = params.map((ty, i) => ({ name: `a${i}`, ty, mutable: true }));
    this.out.push(`function ${name}(${vars.map((v) => `${v.name}: ${v.ty}`).join(', ')}): ${ret} {`);
    this.scopes = [vars];
    this.cost = 0;
    this.mult = 1;
    this.depth = 0;
    const n = 2 + this.int(5);
    for (let i = 0; i < n; i++) this.stmt();
    this.line(`return ${this.expr(ret, 3)};`);
    this.out.push('}', '');
    this.fns.push({ name, params, ret, cost: Math.max(1, this.cost) });
  }

  program(printImport: string): string {
    this.out.push(`import { print } from "${printImport}";`, '');
    this.out.push(`let mem!: InlineArray<u8, ${MEM_SIZE}>;`);
    for (const m of MEM_TYPES)
      this.out.push(`function ld_${m.t}(off: usize): ${m.t} { return load<${m.t}>(addr_of(mem), off); }`);
    const ng = 1 + this.int(4);
    for (let i = 0; i < ng; i++) {
      const g = { name: this.fresh('g'), ty: this.pick(['i32', 'u32'] as const), mutable: true };
      this.out.push(`let ${g.name}: ${g.ty} = ${this.literal(g.ty)};`);
      this.globals.push(g);
    }
    this.out.push('');
    const nf = 1 + this.int(5);
    for (let i = 0; i < nf; i++) this.func(i);
    this.out.push(`export function ${this.entry}(): void {`);
    this.scopes = [[]];
    this.cost = 0;
    this.mult = 1;
    this.depth = 0;
    for (let i = 0; i < 2 + this.int(4); i++) this.stmt();
    for (const f of this.fns) {
      const args = f.params.map((p) => this.literal(p)).join(', ');
      this.line(`print(\`${f.name} \${${f.name}(${args})}\`);`);
    }
    for (const g of this.globals) this.line(`print(\`${g.name} \${${g.name}}\`);`);
    this.line(`print(\`mem \${ld_u32(0)} \${ld_i32(60)} \${ld_u16(30)} \${ld_i8(7)}\`);`);
    this.out.push('}', '');
    return this.out.join('\n');
  }
}

/** One random program. `entry` is the exported function that runs it (`main` for a standalone). */
export function generateProgram(seed: number, entry = 'main', printImport = '../lib/print'): string {
  return `// Differential program, seed ${seed} (tests/differential/gen.ts).\n` + new Gen(seed, entry).program(printImport);
}
