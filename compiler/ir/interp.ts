// An interpreter for the IR: runs a Module with memory as a byte array. Tests use it to check the
// front end against node before (and independently of) the back end; it is also a debugging tool
// (`--emit-ir` shows the code, this runs it).
//
// Memory is one flat array starting at address 0: globals from 0x10000, the stack at the top
// growing down. Functions get fake addresses (not in memory) so function pointers work. Values are
// bigints normalised to their class's width, unsigned. User-mode intrinsics run; privileged ones trap,
// except port I/O on COM1 (0x3f8), which is captured as the serial output, and hlt, which stops the
// run. `syscall` understands write(1|2, buf, n) and exit/exit_group.

import type { BinOp, Cls, Func, Inst, Module, Value, Width } from './ir.js';
import { foldBin, foldCmp } from './fold.js';

export interface RunOptions {
  entry: string;
  args?: bigint[];
  maxSteps?: number;
  memorySize?: number;
}

export interface RunResult {
  /** The entry function's return value (class-normalised, unsigned), if it returned one. */
  value?: bigint;
  exitCode?: number; // from the exit system call
  halted?: boolean; // stopped by hlt()
  stdout: string;
  serial: string;
  steps: number;
}

/** A run-time fault of the interpreted program (what would be a signal natively). */
export class Trap extends Error {
  constructor(public readonly kind: 'SIGFPE' | 'SIGSEGV' | 'SIGILL' | 'step-limit', message: string) {
    super(`${kind}: ${message}`);
  }
}

class Exit {
  constructor(public readonly code?: number, public readonly halted = false) {}
}

const FUNC_BASE = 0x7000_0000n;
const GLOBAL_BASE = 0x10000;
const COM1 = 0x3f8n;
const PRIVILEGED = new Set(['cli', 'sti', 'rdmsr', 'wrmsr', 'read_cr0', 'write_cr0', 'read_cr2', 'read_cr3', 'write_cr3', 'read_cr4',
  'write_cr4', 'invlpg', 'lgdt', 'lidt', 'ltr', 'cpuid', 'read_rflags', 'write_rflags', 'read_gs_u64']);

const norm = (v: bigint, cls: Cls) => BigInt.asUintN(cls === 'w' ? 32 : 64, v);

export function runModule(m: Module, opts: RunOptions): RunResult {
  return new Interp(m, opts).run();
}

class Interp {
  mem: Uint8Array;
  view: DataView;
  symbols = new Map<string, bigint>();
  funcByAddr = new Map<bigint, Func>();
  sp: number;
  steps = 0;
  maxSteps: number;
  stdout: number[] = [];
  serial: number[] = [];
  framePointers: number[] = [];
  lcr = 0n; // COM1 line control register: bit 7 (DLAB) turns the data port into the divisor latch

  constructor(private m: Module, private opts: RunOptions) {
    this.mem = new Uint8Array(opts.memorySize ?? 8 << 20);
    this.view = new DataView(this.mem.buffer);
    this.sp = this.mem.length;
    this.maxSteps = opts.maxSteps ?? 50_000_000;
    m.funcs.forEach((f, i) => {
      const addr = FUNC_BASE + BigInt(i * 16);
      this.symbols.set(f.name, addr);
      this.funcByAddr.set(addr, f);
    });
    let at = GLOBAL_BASE;
    for (const g of m.globals) {
      at = Math.ceil(at / g.align) * g.align;
      this.symbols.set(g.name, BigInt(at));
      if (g.bytes) this.mem.set(g.bytes, at);
      at += g.size;
    }
    for (const g of m.globals) {
      const base = Number(this.symbols.get(g.name)!);
      for (const r of g.relocs) {
        const v = this.symAddr(r.sym) + r.addend;
        if (r.width === 8) this.view.setBigUint64(base + r.offset, BigInt.asUintN(64, v), true);
        else this.view.setUint32(base + r.offset, Number(BigInt.asUintN(32, v)), true);
      }
    }
  }

  symAddr(name: string): bigint {
    const a = this.symbols.get(name);
    if (a === undefined) throw new Trap('SIGSEGV', `undefined symbol '${name}'`);
    return a;
  }

  run(): RunResult {
    const f = this.m.funcs.find((x) => x.name === this.opts.entry);
    if (!f) throw new Error(`no function '${this.opts.entry}' in the module`);
    const result: RunResult = { stdout: '', serial: '', steps: 0 };
    try {
      result.value = this.call(f, this.opts.args ?? []);
    } catch (e) {
      if (!(e instanceof Exit)) throw e;
      result.exitCode = e.code;
      result.halted = e.halted;
    } finally {
      result.stdout = Buffer.from(this.stdout).toString('utf8');
      result.serial = Buffer.from(this.serial).toString('utf8');
      result.steps = this.steps;
    }
    return result;
  }

  call(f: Func, args: bigint[]): bigint | undefined {
    const regs: bigint[] = new Array(f.nextVreg).fill(0n);
    f.params.forEach((p, i) => (regs[p.vreg] = norm(args[i] ?? 0n, p.cls)));
    const savedSp = this.sp;
    this.framePointers.push(this.sp);
    const val = (v: Value): bigint => {
      if (v.kind === 'vreg') return regs[v.id];
      if (v.kind === 'const') return norm(v.value, v.cls);
      return norm(this.symAddr(v.name) + v.addend, 'l');
    };
    try {
      let prev = -1;
      let block = f.blocks[0];
      for (;;) {
        // Phis read their inputs all at once, on entry, from the edge taken.
        const phis = block.insts.filter((i) => i.op === 'phi');
        const phiVals = phis.map((p) => {
          const inc = p.op === 'phi' ? p.incoming.find((x) => x.block === prev) : undefined;
          return inc ? val(inc.value) : 0n;
        });
        phis.forEach((p, i) => (regs[(p as { dst: number }).dst] = phiVals[i]));
        for (const inst of block.insts) {
          if (inst.op === 'phi') continue;
          if (++this.steps > this.maxSteps) throw new Trap('step-limit', `more than ${this.maxSteps} steps`);
          this.exec(inst, regs, val);
        }
        const t = block.term;
        prev = block.id;
        if (t.op === 'jmp') block = f.blocks[t.target];
        else if (t.op === 'br') block = f.blocks[val(t.cond) !== 0n ? t.then : t.else];
        else if (t.op === 'ret') return t.value ? val(t.value) : undefined;
        else throw new Trap('SIGILL', `reached unreachable code in ${f.name}`);
      }
    } finally {
      this.sp = savedSp;
      this.framePointers.pop();
    }
  }

  exec(i: Inst, regs: bigint[], val: (v: Value) => bigint): void {
    switch (i.op) {
      case 'bin':
        regs[i.dst] = norm(binop(i.bin, i.cls, val(i.a), val(i.b)), i.cls);
        return;
      case 'un':
        regs[i.dst] = norm(i.un === 'neg' ? -val(i.a) : ~val(i.a), i.cls);
        return;
      case 'cmp':
        regs[i.dst] = foldCmp(i.cmp, i.cls, val(i.a), val(i.b)) ? 1n : 0n;
        return;
      case 'ext': {
        const bits = i.from * 8;
        const x = val(i.a);
        regs[i.dst] = norm(i.signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x), i.cls);
        return;
      }
      case 'copy':
        regs[i.dst] = val(i.a);
        return;
      case 'select':
        regs[i.dst] = val(i.cond) !== 0n ? val(i.a) : val(i.b);
        return;
      case 'load': {
        const x = this.read(val(i.addr), i.width);
        regs[i.dst] = norm(i.signed ? BigInt.asIntN(i.width * 8, x) : x, i.cls);
        return;
      }
      case 'store':
        this.write(val(i.addr), i.width, val(i.value));
        return;
      case 'alloca':
        this.sp = Math.floor((this.sp - i.size) / i.align) * i.align;
        if (this.sp < this.mem.length / 2) throw new Trap('SIGSEGV', 'stack overflow');
        this.mem.fill(0xcc, this.sp, this.sp + i.size); // uninitialised, and visibly so
        regs[i.dst] = BigInt(this.sp);
        return;
      case 'call': {
        const target = val(i.callee);
        const f = this.funcByAddr.get(target);
        if (!f) throw new Trap('SIGSEGV', `call to ${i.callee.kind === 'sym' ? i.callee.name : '0x' + target.toString(16)}, which is not a function`);
        const r = this.call(f, i.args.map(val));
        if (i.dst !== undefined) regs[i.dst] = norm(r ?? 0n, i.cls ?? 'l');
        return;
      }
      case 'intrin': {
        const r = this.intrin(i.name, i.args.map(val), i.width);
        if (i.dst !== undefined) regs[i.dst] = norm(r ?? 0n, i.cls ?? 'l');
        return;
      }
      case 'phi':
        return;
    }
  }

  check(addr: bigint, n: number): number {
    if (addr < 0x1000n || addr + BigInt(n) > BigInt(this.mem.length)) throw new Trap('SIGSEGV', `bad address 0x${addr.toString(16)}`);
    return Number(addr);
  }

  read(addr: bigint, width: Width): bigint {
    const a = this.check(addr, width);
    switch (width) {
      case 1: return BigInt(this.view.getUint8(a));
      case 2: return BigInt(this.view.getUint16(a, true));
      case 4: return BigInt(this.view.getUint32(a, true));
      case 8: return this.view.getBigUint64(a, true);
    }
  }

  write(addr: bigint, width: Width, v: bigint): void {
    const a = this.check(addr, width);
    const x = BigInt.asUintN(width * 8, v);
    switch (width) {
      case 1: return this.view.setUint8(a, Number(x));
      case 2: return this.view.setUint16(a, Number(x), true);
      case 4: return this.view.setUint32(a, Number(x), true);
      case 8: return this.view.setBigUint64(a, x, true);
    }
  }

  intrin(name: string, a: bigint[], width?: Width): bigint | undefined {
    if (PRIVILEGED.has(name)) throw new Trap('SIGSEGV', `privileged instruction '${name}' in user mode`);
    switch (name) {
      case 'outb': case 'outw': case 'outl':
        if (a[0] === COM1 + 3n) this.lcr = a[1];
        else if (a[0] === COM1 && !(this.lcr & 0x80n)) this.serial.push(Number(a[1] & 0xffn)); // not a baud divisor
        return;
      case 'inb': case 'inw': case 'inl':
        return a[0] === COM1 + 5n ? 0x60n : 0n; // line status: transmitter empty
      case 'hlt':
        throw new Exit(undefined, true);
      case 'pause': case 'barrier': case 'mfence': case 'lfence': case 'sfence':
        return;
      case 'rdtsc':
        return BigInt(this.steps);
      case 'frame_address':
        return BigInt(this.framePointers[this.framePointers.length - 1]);
      case 'memcpy': {
        const [d, s, n] = a;
        if (n === 0n) return;
        const src = this.check(s, Number(n));
        this.mem.copyWithin(this.check(d, Number(n)), src, src + Number(n));
        return;
      }
      case 'memset':
        if (a[2] !== 0n) this.mem.fill(Number(a[1] & 0xffn), this.check(a[0], Number(a[2])), Number(a[0] + a[2]));
        return;
      case 'memcmp': {
        const [x, y, n] = a;
        for (let k = 0n; k < n; k++) {
          const d = Number(this.read(x + k, 1)) - Number(this.read(y + k, 1));
          if (d) return BigInt(d);
        }
        return 0n;
      }
      case 'atomic_load':
        return this.read(a[0], width!);
      case 'atomic_store':
        this.write(a[0], width!, a[1]);
        return;
      case 'atomic_xchg': {
        const old = this.read(a[0], width!);
        this.write(a[0], width!, a[1]);
        return old;
      }
      case 'atomic_fetch_add': {
        const old = this.read(a[0], width!);
        this.write(a[0], width!, old + a[1]);
        return old;
      }
      case 'atomic_cmpxchg': {
        const old = this.read(a[0], width!);
        if (old === BigInt.asUintN(width! * 8, a[1])) this.write(a[0], width!, a[2]);
        return old;
      }
      case 'syscall':
        return this.syscall(a);
    }
    throw new Trap('SIGILL', `intrinsic '${name}' is not supported by the interpreter`);
  }

  syscall([nr, a1, a2, a3]: bigint[]): bigint {
    switch (nr) {
      case 1n: { // write(fd, buf, n)
        if (a1 !== 1n && a1 !== 2n) return -9n; // EBADF
        for (let k = 0n; k < a3; k++) this.stdout.push(Number(this.read(a2 + k, 1)));
        return a3;
      }
      case 60n: // exit
      case 231n: // exit_group
        throw new Exit(Number(BigInt.asIntN(32, a1 ?? 0n)) & 0xff);
    }
    return -38n; // ENOSYS
  }
}

/** Arithmetic as the machine does it (folding's rules), with its division faults. */
function binop(op: BinOp, cls: Cls, a: bigint, b: bigint): bigint {
  const r = foldBin(op, cls, a, b);
  if (r === undefined) throw new Trap('SIGFPE', op === 'sdiv' || op === 'srem' ? 'integer division fault' : 'integer division by zero');
  return r;
}
