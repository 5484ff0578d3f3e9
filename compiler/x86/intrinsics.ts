// Intrinsics (runtime/prelude.d.ts) as x86-64 instructions: port and MSR I/O, control registers,
// descriptor tables, string instructions for memcpy/memset/memcmp, atomics, syscall. Fixed-register
// operands are moves to and from physical registers, as everywhere in selection.

import type { Cls, Value, Width } from '../ir/ir.js';
import { imm, R10, R11, R8, R9, RAX, RBP, RBX, RCX, RDI, RDX, RSI, reg, sizeOf, SUFFIX, type MOp, type Size, type SelectCtx } from './mach.js';
import { valueCls } from '../ir/walk.js';

const SYSCALL_REGS = [RAX, RDI, RSI, RDX, R10, R8, R9];

/** Moves each value into its fixed register (sizes from the values' classes unless given). */
function fixed(sel: SelectCtx, args: Value[], regs: number[], sz?: Size): number[] {
  args.forEach((v, k) => sel.materialise(v, regs[k], sz ?? sizeOf(valueCls(v))));
  return regs.slice(0, args.length);
}

/** Zero-extends the low `w` bytes of physical register r into d (class cls). */
function fromFixed(sel: SelectCtx, r: number, d: number, w: Size, cls: Cls): void {
  if (w === 1) sel.emit('movzbl', [reg(r, 1), reg(d, 4)], ['r', 'w']);
  else if (w === 2) sel.emit('movzwl', [reg(r, 2), reg(d, 4)], ['r', 'w']);
  else sel.copy(r, d, w === 8 ? 8 : sizeOf(cls));
}

/** Joins edx:eax into a 64-bit d. */
function joinEdxEax(sel: SelectCtx, d: number): void {
  const hi = sel.tmp(8);
  sel.emit('movl', [reg(RDX, 4), reg(hi, 4)], ['r', 'w']);
  sel.emit('movl', [reg(RAX, 4), reg(d, 4)], ['r', 'w']);
  sel.emit('shlq', [imm(32n), reg(hi, 8)], ['r', 'rw']);
  sel.emit('orq', [reg(hi, 8), reg(d, 8)], ['r', 'rw']);
}

export function selectIntrin(sel: SelectCtx, name: string, args: Value[], dst: number | undefined, cls: Cls | undefined, width: Width | undefined): void {
  const d = dst === undefined ? sel.tmp(8) : sel.v(dst);
  const c: Cls = cls ?? 'l';
  const w = (width ?? (c === 'l' ? 8 : 4)) as Size;
  const sfx = SUFFIX[w];
  switch (name) {
    case 'cli':
    case 'sti':
    case 'hlt':
    case 'pause':
    case 'mfence':
    case 'lfence':
    case 'sfence':
      return sel.emit(name, [], []);
    case 'barrier':
      return;
    case 'unreachable':
      return sel.emit('ud2', [], []);
    case 'inb':
    case 'inw':
    case 'inl': {
      const ws: Size = name === 'inb' ? 1 : name === 'inw' ? 2 : 4;
      const port = args[0];
      if (port.kind === 'const' && BigInt.asUintN(16, port.value) < 256n) {
        sel.emit(name, [imm(BigInt.asUintN(16, port.value)), reg(RAX, ws)], ['r', 'w']);
      } else {
        sel.materialise(port, RDX, 4);
        sel.emit(name, [reg(RDX, 2), reg(RAX, ws)], ['r', 'w']);
      }
      return fromFixed(sel, RAX, d, ws, 'w');
    }
    case 'outb':
    case 'outw':
    case 'outl': {
      const ws: Size = name === 'outb' ? 1 : name === 'outw' ? 2 : 4;
      const port = args[0];
      sel.materialise(args[1], RAX, 4);
      if (port.kind === 'const' && BigInt.asUintN(16, port.value) < 256n) {
        sel.emit(name, [reg(RAX, ws), imm(BigInt.asUintN(16, port.value))], ['r', 'r']);
      } else {
        sel.materialise(port, RDX, 4);
        sel.emit(name, [reg(RAX, ws), reg(RDX, 2)], ['r', 'r']);
      }
      return;
    }
    case 'rdmsr':
      sel.materialise(args[0], RCX, 4);
      sel.emit('rdmsr', [], [], { implUses: [RCX], implDefs: [RAX, RDX] });
      return joinEdxEax(sel, d);
    case 'wrmsr':
      sel.materialise(args[0], RCX, 4);
      sel.materialise(args[1], RAX, 8);
      sel.materialise(args[1], RDX, 8);
      sel.emit('shrq', [imm(32n), reg(RDX, 8)], ['r', 'rw']);
      return sel.emit('wrmsr', [], [], { implUses: [RCX, RAX, RDX] });
    case 'read_rflags':
      sel.emit('pushfq', [], []);
      return sel.emit('popq', [reg(d, 8)], ['w']);
    case 'write_rflags':
      sel.emit('pushq', [sel.regOf(args[0], 8)], ['r']);
      return sel.emit('popfq', [], []);
    case 'read_gs_u64': {
      const off = args[0];
      const mem: MOp = off.kind === 'const' && BigInt.asIntN(64, off.value) >= -(1n << 31n) && BigInt.asIntN(64, off.value) < 1n << 31n
        ? { k: 'mem', disp: BigInt.asIntN(64, off.value), seg: 'gs' }
        : { k: 'mem', base: (sel.regOf(off, 8) as { r: number }).r, disp: 0n, seg: 'gs' };
      return sel.emit('movq', [mem, reg(d, 8)], ['r', 'w']);
    }
    case 'rdtsc':
      sel.emit('rdtsc', [], [], { implDefs: [RAX, RDX] });
      return joinEdxEax(sel, d);
    case 'read_cr0':
    case 'read_cr2':
    case 'read_cr3':
    case 'read_cr4':
      return sel.emit('movq', [{ k: 'sreg', name: name.slice(5) }, reg(d, 8)], ['n', 'w']);
    case 'write_cr0':
    case 'write_cr3':
    case 'write_cr4':
      return sel.emit('movq', [sel.regOf(args[0], 8), { k: 'sreg', name: name.slice(6) }], ['r', 'n']);
    case 'invlpg':
    case 'lgdt':
    case 'lidt':
      return sel.emit(name, [{ k: 'mem', base: (sel.regOf(args[0], 8) as { r: number }).r, disp: 0n }], ['r']);
    case 'ltr':
      return sel.emit('ltr', [sel.regOf(args[0], 2)], ['r']);
    case 'cpuid': {
      const out = sel.regOf(args[2], 8) as { r: number };
      fixed(sel, args.slice(0, 2), [RAX, RCX], 4);
      sel.emit('cpuid', [], [], { implUses: [RAX, RCX], implDefs: [RAX, RBX, RCX, RDX] });
      [RAX, RBX, RCX, RDX].forEach((r, k) => sel.emit('movl', [reg(r, 4), { k: 'mem', base: out.r, disp: BigInt(4 * k) }], ['r', 'r']));
      return;
    }
    case 'frame_address':
      return sel.emit('movq', [reg(RBP, 8), reg(d, 8)], ['r', 'w']);
    case 'memcpy':
      fixed(sel, args, [RDI, RSI, RCX], 8);
      return sel.emit('movsb', [], [], { prefixes: ['rep'], implUses: [RDI, RSI, RCX], implDefs: [RDI, RSI, RCX] });
    case 'memset':
      fixed(sel, args, [RDI, RAX, RCX], 8);
      return sel.emit('stosb', [], [], { prefixes: ['rep'], implUses: [RDI, RAX, RCX], implDefs: [RDI, RCX] });
    case 'memcmp':
      // rsi = a, rdi = b: cmpsb compares (%rsi) with (%rdi). xor sets ZF so n = 0 gives 0.
      fixed(sel, args, [RSI, RDI, RCX], 8);
      sel.emit('xorl', [reg(RAX, 4), reg(RAX, 4)], ['n', 'w']);
      sel.emit('cmpsb', [], [], { prefixes: ['repe'], implUses: [RSI, RDI, RCX], implDefs: [RSI, RDI, RCX] });
      sel.emit('seta', [reg(RAX, 1)], ['rw']);
      sel.emit('sbbl', [imm(0n), reg(RAX, 4)], ['r', 'rw']);
      return sel.copy(RAX, d, 4);
    case 'atomic_load':
      return sel.load(c, d, addrReg(sel, args[0]), w as Width, false);
    case 'atomic_store': {
      const mem = addrReg(sel, args[0]);
      const t = sel.tmp(w);
      sel.materialise(args[1], t, w === 8 ? 8 : 4);
      return sel.emit(`xchg${sfx}`, [reg(t, w), mem], ['rw', 'r']);
    }
    case 'atomic_fetch_add':
      // The old value unused: `lock add` (the atomic the IR asks for, without the exchange).
      if (dst === undefined || !sel.useCount.get(dst)) {
        return sel.emit(`add${sfx}`, [sel.srcOf(args[1], w), addrReg(sel, args[0])], ['r', 'r'], { prefixes: ['lock'] });
      }
    // falls through
    case 'atomic_xchg': {
      const mem = addrReg(sel, args[0]);
      const t = sel.tmp(w);
      sel.materialise(args[1], t, w === 8 ? 8 : 4);
      const m = name === 'atomic_xchg' ? `xchg${sfx}` : `xadd${sfx}`;
      sel.emit(m, [reg(t, w), mem], ['rw', 'r'], name === 'atomic_xchg' ? {} : { prefixes: ['lock'] });
      return fromFixed(sel, t, d, w, c);
    }
    case 'atomic_cmpxchg': {
      const mem = addrReg(sel, args[0]);
      const desired = sel.regOf(args[2], w);
      sel.materialise(args[1], RAX, w === 8 ? 8 : 4);
      sel.emit(`cmpxchg${sfx}`, [desired, mem], ['r', 'r'], { prefixes: ['lock'], implUses: [RAX], implDefs: [RAX] });
      return fromFixed(sel, RAX, d, w, c);
    }
    case 'syscall': {
      const regs = fixed(sel, args, SYSCALL_REGS, 8);
      sel.emit('syscall', [], [], { implUses: regs, implDefs: [RAX, RCX, R11] });
      return sel.copy(RAX, d, 8);
    }
    case 'fmt_count':
      return sel.load('l', d, addrReg(sel, args[0]), 8, false);
    case 'fmt_kind':
    case 'fmt_value': {
      const base = (sel.regOf(args[0], 8) as { r: number }).r;
      const ix = sel.tmp(8);
      sel.materialise(args[1], ix, 8);
      sel.emit('shlq', [imm(4n), reg(ix, 8)], ['r', 'rw']);
      const mem: MOp = { k: 'mem', base, index: ix, scale: 1, disp: name === 'fmt_kind' ? 8n : 16n };
      return sel.load(name === 'fmt_kind' ? 'w' : 'l', d, mem, name === 'fmt_kind' ? 4 : 8, false);
    }
  }
  throw new Error(`isel: unknown intrinsic ${name}`);
}

/** A memory operand (%reg) for an intrinsic's address argument. */
function addrReg(sel: SelectCtx, v: Value): MOp {
  if (v.kind === 'sym') return { k: 'mem', rip: true, sym: v.name, disp: v.addend };
  if (v.kind === 'vreg' && sel.allocaSlot.has(v.id)) return { k: 'mem', slot: sel.allocaSlot.get(v.id)!, disp: 0n };
  return { k: 'mem', base: (sel.regOf(v, 8) as { r: number }).r, disp: 0n };
}
