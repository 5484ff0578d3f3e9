// Runs a restricted-TypeScript program under node, as an oracle for the native compiler.
//
// Each module is transpiled by the TypeScript bundled in ts-morph (ts.transpileModule, CommonJS)
// and evaluated in a vm context whose globals are the prelude, implemented in JavaScript with the
// language's semantics for the subset JavaScript can express exactly:
//   - integers up to 32 bits: i32(x) = x|0, u32(x) = x>>>0, i8/u8/i16/u16 by shifts and masks;
//     64-bit conversions pass safe integers through and throw for anything JS cannot represent
//     (a negative u64, a value beyond 2^53);
//   - memory: one ArrayBuffer seen through a DataView; load/store/atomics/memcpy... over it.
//     Addresses below 64 KiB fault (null guard). A module-level `let a!: InlineArray<T, N>` is a
//     typed-array view of that memory, so `a[i]` and `addr_of(a)` both work;
//   - fmt: a template literal is a finished JS string under node, so fmt_count/fmt_kind/fmt_value
//     present it as one FMT_STR item whose value is the string itself; rt_write accepts that
//     string as its "address". Under JS, `${n}` is decimal and the shim's hex(n) is "0x" +
//     lowercase hex, which is what the native formatting prints too.
// Generic intrinsics (load<T>, sizeof<T>...) need their type argument at run time: a transformer
// passes it as an extra first argument, `load<u8>(p)` -> `load("u8", p)`.
//
// Whatever the shim cannot do exactly (64-bit wrap, struct views of memory, privileged
// instructions, hex of a negative number whose width JS does not know) throws ShimUnsupported:
// such programs are marked `// node: skip` in the conformance suite. The shim never guesses.

import { ts } from 'ts-morph';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import vm from 'node:vm';

export class ShimUnsupported extends Error {}

export interface ShimResult {
  stdout: string;
  /** Set when the program did not finish normally (an exception, a trap, a timeout). */
  error?: string;
  /** rt_exit's code, or 0 when main returned. */
  exitCode: number;
}

export interface ShimOptions {
  timeoutMs?: number;
  /** Reads a module's source (default: the file system), so generated programs need no files. */
  readSource?: (path: string) => string;
}

const MEM_SIZE = 1 << 20;
const NULL_GUARD = 0x10000;
const TYPED_INTRINSICS = new Set([
  'load', 'store', 'volatile_load', 'volatile_store', 'sizeof', 'alignof', 'changetype',
  'atomic_load', 'atomic_store', 'atomic_xchg', 'atomic_cmpxchg', 'atomic_fetch_add', 'slice',
]);

// type name -> [size, signed]; bool is an unsigned byte that reads back as a boolean.
const SCALARS: Record<string, [number, boolean]> = {
  i8: [1, true], u8: [1, false], bool: [1, false],
  i16: [2, true], u16: [2, false],
  i32: [4, true], u32: [4, false],
  i64: [8, true], u64: [8, false], isize: [8, true], usize: [8, false],
};

function scalar(type: string): [number, boolean] {
  const s = SCALARS[type];
  if (!s) throw new ShimUnsupported(`type '${type}' in a memory intrinsic is not supported under node`);
  return s;
}

// ---- source transformation ----

/** Adds the type argument of generic intrinsics as a leading string argument, and gives
 * module-level `let a!: InlineArray<T, N>` storage in the shim's memory. */
function intrinsicTransformer(sf: ts.SourceFile): ts.TransformerFactory<ts.SourceFile> {
  const text = (n: ts.Node) => sf.text.slice(n.pos, n.end).trim();
  return (ctx) => {
    const f = ctx.factory;
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) &&
          TYPED_INTRINSICS.has(node.expression.text) && node.typeArguments?.length) {
        const args = node.arguments.map((a) => ts.visitNode(a, visit) as ts.Expression);
        return f.createCallExpression(node.expression, undefined,
          [f.createStringLiteral(text(node.typeArguments[0])), ...args]);
      }
      if (ts.isVariableStatement(node) && ts.isSourceFile(node.parent)) {
        const decls = node.declarationList.declarations.map((d) => {
          const t = d.type;
          // An initialiser (a module arrow function) may call generic intrinsics too.
          if (d.initializer || !t || !ts.isTypeReferenceNode(t)) return ts.visitEachChild(d, visit, ctx);
          const name = text(t.typeName);
          if (name === 'InlineArray' && t.typeArguments?.length === 2) {
            const init = f.createCallExpression(f.createIdentifier('__static_array'), undefined,
              [f.createStringLiteral(text(t.typeArguments[0])), f.createStringLiteral(text(t.typeArguments[1]))]);
            return f.updateVariableDeclaration(d, d.name, undefined, undefined, init);
          }
          if (name === 'Inline') {
            const init = f.createCallExpression(f.createIdentifier('__static_struct'), undefined,
              [f.createStringLiteral(text(t))]);
            return f.updateVariableDeclaration(d, d.name, undefined, undefined, init);
          }
          return ts.visitEachChild(d, visit, ctx);
        });
        return f.updateVariableStatement(node, node.modifiers,
          f.updateVariableDeclarationList(node.declarationList, decls));
      }
      return ts.visitEachChild(node, visit, ctx);
    };
    return (file) => ts.visitNode(file, visit) as ts.SourceFile;
  };
}

export function transpile(path: string, source: string): string {
  const sf = ts.createSourceFile(path, source, ts.ScriptTarget.ES2022, true);
  const out = ts.transpileModule(source, {
    fileName: path,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: false },
    transformers: { before: [intrinsicTransformer(sf)] },
  });
  return out.outputText;
}

// ---- the prelude in JavaScript ----

class Exit extends Error {
  constructor(public code: number) { super(`exit ${code}`); }
}

function checkExact(x: number, what: string): number {
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x !== 'number') throw new ShimUnsupported(`${what} of a ${typeof x}`);
  const t = Math.trunc(x);
  if (!Number.isSafeInteger(t)) throw new ShimUnsupported(`${what}(${x}): beyond 2^53, not exact in JS`);
  return t;
}

function makePrelude(out: number[]) {
  const mem = new ArrayBuffer(MEM_SIZE);
  const view = new DataView(mem);
  const bytes = new Uint8Array(mem);
  let staticTop = NULL_GUARD;
  const arrayAddr = new WeakMap<object, number>();

  const addr = (a: number, off: number | undefined, size: number): number => {
    const p = checkExact(a, 'address') + (off === undefined ? 0 : checkExact(off, 'offset'));
    if (p < NULL_GUARD || p + size > MEM_SIZE) throw new Error(`memory fault at ${p}`);
    return p;
  };
  const to64 = (v: bigint): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new ShimUnsupported(`64-bit value ${v} is not exact in JS`);
    return Number(v);
  };
  const get = (type: string, p: number): number | boolean => {
    const [size, signed] = scalar(type);
    const q = addr(p, 0, size);
    switch (size) {
      case 1: return type === 'bool' ? view.getUint8(q) !== 0 : signed ? view.getInt8(q) : view.getUint8(q);
      case 2: return signed ? view.getInt16(q, true) : view.getUint16(q, true);
      case 4: return signed ? view.getInt32(q, true) : view.getUint32(q, true);
      default: return to64(signed ? view.getBigInt64(q, true) : view.getBigUint64(q, true));
    }
  };
  const set = (type: string, p: number, v: number | boolean): void => {
    const [size] = scalar(type);
    const q = addr(p, 0, size);
    const n = checkExact(v as number, 'store');
    switch (size) {
      case 1: view.setUint8(q, n & 0xff); break;
      case 2: view.setUint16(q, n & 0xffff, true); break;
      case 4: view.setUint32(q, n >>> 0, true); break;
      default: view.setBigUint64(q, BigInt.asUintN(64, BigInt(n)), true);
    }
  };
  const wrap = (type: string, n: number): number => {
    const [size, signed] = scalar(type);
    if (size === 8) return n;
    const bits = size * 8;
    return signed ? (n << (32 - bits)) >> (32 - bits) : bits === 32 ? n >>> 0 : n & ((1 << bits) - 1);
  };
  const unsupported = (name: string) => () => {
    throw new ShimUnsupported(`${name}() is not available under node`);
  };

  const prelude: Record<string, unknown> = {
    i8: (x: number) => (checkExact(x, 'i8') << 24) >> 24,
    u8: (x: number) => checkExact(x, 'u8') & 0xff,
    i16: (x: number) => (checkExact(x, 'i16') << 16) >> 16,
    u16: (x: number) => checkExact(x, 'u16') & 0xffff,
    i32: (x: number) => checkExact(x, 'i32') | 0,
    u32: (x: number) => checkExact(x, 'u32') >>> 0,
    i64: (x: number) => checkExact(x, 'i64'),
    isize: (x: number) => checkExact(x, 'isize'),
    u64: (x: number) => {
      const n = checkExact(x, 'u64');
      if (n < 0) throw new ShimUnsupported(`u64(${n}) is not exact in JS`);
      return n;
    },
    usize: (x: number) => {
      const n = checkExact(x, 'usize');
      if (n < 0) throw new ShimUnsupported(`usize(${n}) is not exact in JS`);
      return n;
    },
    bool: (x: number | boolean) => (typeof x === 'boolean' ? x : x !== 0),

    sizeof: (t: string) => scalar(t)[0],
    alignof: (t: string) => scalar(t)[0],
    offsetof: unsupported('offsetof'),
    changetype: (t: string, v: unknown) => {
      if (typeof v === 'string' && (t === 'usize' || t === 'string')) return v; // print's strings
      if (typeof v === 'number' && (t === 'usize' || t === 'u64')) return v;
      throw new ShimUnsupported(`changetype<${t}> of a ${typeof v} is not supported under node`);
    },
    addressof: unsupported('addressof'),
    addr_of: (v: object) => {
      const a = typeof v === 'object' && v !== null ? arrayAddr.get(v) : undefined;
      if (a === undefined) throw new ShimUnsupported('addr_of() of something other than a module InlineArray');
      return a;
    },
    __static_array: (type: string, count: string) => {
      const n = Number(count);
      const [size, signed] = scalar(type);
      if (size === 8 || type === 'bool' || !Number.isInteger(n))
        throw new ShimUnsupported(`InlineArray<${type}, ${count}> is not supported under node`);
      staticTop = (staticTop + 15) & ~15;
      const ctor = size === 1 ? (signed ? Int8Array : Uint8Array)
        : size === 2 ? (signed ? Int16Array : Uint16Array) : (signed ? Int32Array : Uint32Array);
      const arr = new ctor(mem, staticTop, n);
      arrayAddr.set(arr, staticTop);
      staticTop += n * size;
      return arr;
    },
    // A Slice<T> is a typed-array view of the memory (indexing and for-of as natively, without the
    // bounds check: an out-of-range read gives undefined), with its address as `ptr`.
    slice: (type: string, p: number, n: number) => {
      const [size, signed] = scalar(type);
      if (size === 8 || type === 'bool') throw new ShimUnsupported(`Slice<${type}> is not supported under node`);
      const ctor = size === 1 ? (signed ? Int8Array : Uint8Array)
        : size === 2 ? (signed ? Int16Array : Uint16Array) : (signed ? Int32Array : Uint32Array);
      const view = new ctor(mem, addr(p, 0, n * size), checkExact(n, 'slice length'));
      Object.defineProperty(view, 'ptr', { value: p });
      return view;
    },
    as_slice: (a: object) => {
      const p = arrayAddr.get(a);
      if (p === undefined) throw new ShimUnsupported('as_slice() of something other than a module InlineArray');
      Object.defineProperty(a, 'ptr', { value: p, configurable: true });
      return a;
    },
    __static_struct: (type: string) => {
      throw new ShimUnsupported(`module variable of type ${type} is not supported under node`);
    },

    load: (t: string, p: number, off?: number) => get(t, addr(p, off, 0)),
    store: (t: string, p: number, v: number, off?: number) => set(t, addr(p, off, 0), v),
    volatile_load: (t: string, p: number, off?: number) => get(t, addr(p, off, 0)),
    volatile_store: (t: string, p: number, v: number, off?: number) => set(t, addr(p, off, 0), v),
    memcpy: (d: number, s: number, n: number) => {
      if (n > 0) bytes.copyWithin(addr(d, 0, n), addr(s, 0, n), addr(s, 0, n) + n);
    },
    memset: (d: number, v: number, n: number) => {
      if (n > 0) bytes.fill(v & 0xff, addr(d, 0, n), addr(d, 0, n) + n);
    },
    memcmp: (a: number, b: number, n: number) => {
      for (let i = 0; i < n; i++) {
        const x = bytes[addr(a, i, 1)], y = bytes[addr(b, i, 1)];
        if (x !== y) return x - y;
      }
      return 0;
    },
    atomic_load: (t: string, p: number) => get(t, p),
    atomic_store: (t: string, p: number, v: number) => set(t, p, v),
    atomic_xchg: (t: string, p: number, v: number) => {
      const old = get(t, p);
      set(t, p, v);
      return old;
    },
    atomic_cmpxchg: (t: string, p: number, expected: number, desired: number) => {
      const old = get(t, p) as number;
      if (old === wrap(t, checkExact(expected, 'cmpxchg'))) set(t, p, desired);
      return old;
    },
    atomic_fetch_add: (t: string, p: number, delta: number) => {
      const old = get(t, p) as number;
      set(t, p, old + checkExact(delta, 'fetch_add'));
      return old;
    },
    barrier: () => {},
    mfence: () => {},
    lfence: () => {},
    sfence: () => {},
    pause: () => {},
    unreachable: () => {
      throw new Error('unreachable() executed');
    },
    destroy: () => {},

    FMT_STR: 0,
    FMT_INT: 1,
    FMT_UINT: 2,
    FMT_HEX: 3,
    fmt_count: () => 1,
    fmt_kind: () => 0,
    fmt_value: (f: string) => f,
    hex: (x: number) => {
      const n = checkExact(x, 'hex');
      if (n < 0) throw new ShimUnsupported('hex() of a negative number: its width is unknown under node');
      return '0x' + n.toString(16);
    },

    rt_write: (a: number | string, len: number) => {
      if (typeof a === 'string') {
        for (const b of Buffer.from(a, "utf8").subarray(0, len)) out.push(b);
      } else {
        const p = addr(a, 0, len);
        for (const b of bytes.subarray(p, p + len)) out.push(b);
      }
    },
    rt_exit: (code: number) => {
      throw new Exit(code);
    },
  };
  for (const name of ['cli', 'sti', 'hlt', 'inb', 'inw', 'inl', 'outb', 'outw', 'outl', 'rdmsr', 'wrmsr',
    'read_cr0', 'write_cr0', 'read_cr2', 'read_cr3', 'write_cr3', 'read_cr4', 'write_cr4', 'invlpg',
    'lgdt', 'lidt', 'ltr', 'rdtsc', 'cpuid', 'frame_address', 'syscall'])
    prelude[name] = unsupported(name);
  return prelude;
}

// ---- module loading and running ----

/** Runs `entry`'s exported main() under node and returns what it wrote. */
export function runUnderNode(entry: string, opts: ShimOptions = {}): ShimResult {
  const read = opts.readSource ?? ((p: string) => readFileSync(p, 'utf8'));
  const out: number[] = [];
  const context = vm.createContext(makePrelude(out));
  const modules = new Map<string, { exports: Record<string, unknown> }>();

  const load = (path: string): Record<string, unknown> => {
    const cached = modules.get(path);
    if (cached) return cached.exports;
    const module = { exports: {} as Record<string, unknown> };
    modules.set(path, module);
    const js = transpile(path, read(path));
    const fn = vm.runInContext(`(function (exports, require, module) {${js}\n})`, context, { filename: path });
    const require = (spec: string) => {
      if (!spec.startsWith('.')) throw new ShimUnsupported(`import of '${spec}'`);
      return load(resolve(dirname(path), spec.endsWith('.ts') ? spec : spec + '.ts'));
    };
    fn(module.exports, require, module);
    return module.exports;
  };

  context.__run = () => {
    const main = load(resolve(entry)).main;
    if (typeof main !== 'function') throw new Error(`${entry} does not export main()`);
    main();
  };
  let error: string | undefined;
  let exitCode = 0;
  try {
    vm.runInContext('__run()', context, { timeout: opts.timeoutMs ?? 10_000 });
  } catch (e) {
    if (e instanceof Exit) exitCode = e.code;
    else error = e instanceof ShimUnsupported ? `unsupported: ${e.message}` : String((e as Error)?.stack ?? e);
  }
  return { stdout: Buffer.from(out).toString('utf8'), error, exitCode };
}
