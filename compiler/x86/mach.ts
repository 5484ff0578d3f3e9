// The machine code model between instruction selection (isel.ts), register allocation
// (regalloc.ts) and emission (emit.ts): x86-64 registers, machine instructions over virtual
// registers, and the small operand helpers all three use.

import type { DebugType, SourceLoc } from '../../linker/object.js';
import type { Cls, Func, Inst, Value, Width } from '../ir/ir.js';

export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
export const R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;
/** Machine registers 0..15 are physical (x86 numbering); from 16 on they are virtual. */
export const FIRST_VREG = 16;
export const ARG_REGS = [RDI, RSI, RDX, RCX, R8, R9];
export const CALLER_SAVED = [RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11];
export const CALLEE_SAVED = [RBX, R12, R13, R14, R15];

const NAMES: Record<number, string[]> = {
  8: ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'],
  4: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'],
  2: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'],
  1: ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'],
};
export function regName(r: number, sz: Size): string {
  return NAMES[sz][r];
}

export type Size = 1 | 2 | 4 | 8;
export const SUFFIX: Record<Size, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };

export type MOp =
  | { k: 'reg'; r: number; sz: Size }
  | { k: 'sreg'; name: string } // control registers
  | { k: 'imm'; v: bigint; sym?: string }
  | { k: 'mem'; base?: number; index?: number; scale?: 1 | 2 | 4 | 8; disp: bigint; sym?: string; rip?: boolean; slot?: number; seg?: 'gs' }
  | { k: 'label'; name: string };

/** How an instruction accesses a register operand: read, written, both, or not at all (xor r,r). */
export type Acc = 'r' | 'w' | 'rw' | 'n';

export interface MInst {
  mnem: string;
  ops: MOp[];
  acc: Acc[];
  implUses?: number[];
  implDefs?: number[];
  copy?: boolean; // a plain register-to-register copy: coalescable, dropped when both sides agree
  prefixes?: string[];
  loc?: SourceLoc;
}

export interface MBlock {
  label: string;
  insts: MInst[];
  succs: number[]; // indexes into MFunc.blocks
  depth: number; // loop nesting depth, for spill costs
}

export interface MFunc {
  name: string;
  exported: boolean;
  blocks: MBlock[];
  nextReg: number;
  regSize: Map<number, 4 | 8>; // width of each virtual register's value, for spill code
  slots: { size: number; align: number }[]; // stack slots: allocas, then spills
  outArgs: number; // bytes of outgoing stack arguments
  temps: Set<number>; // spill temporaries: never spilled again
  loc?: SourceLoc;
  vars?: MVar[]; // user variables, for debug information (varlocs.ts)
}

/** A user variable at the machine level, for debug information (varlocs.ts). */
export interface MVar {
  id: number;
  name: string;
  param: boolean;
  type?: DebugType;
  reg?: number;
  argReg?: number; // a parameter: the register it arrives in (until the value is copied away)
  constant?: bigint;
  slot?: number;
}

/**
 * What the helper selectors (calls.ts, divconst.ts, intrinsics.ts) use of isel.ts's Selector: the
 * function being selected, its machine function, and the emitters for operands and instructions.
 */
export interface SelectCtx {
  readonly f: Func;
  mf: MFunc;
  useCount: Map<number, number>;
  /** Each vreg's defining instruction and its block. */
  def: Map<number, { inst: Inst; block: number }>;
  /** Instructions folded into a user: selected as part of it, never on their own. */
  folded: Set<Inst>;
  allocaSlot: Map<number, number>;
  zx: Set<number>;
  v(id: number): number;
  tmp(sz: Size): number;
  emit(mnem: string, ops: MOp[], acc: Acc[], more?: Partial<MInst>): void;
  copy(src: number, dst: number, sz: Size): void;
  materialise(v: Value, dst: number, sz: Size): void;
  regOf(v: Value, sz: Size): MOp;
  srcOf(v: Value, sz: Size): MOp;
  load(cls: Cls, d: number, mem: MOp, width: Width, signed: boolean): void;
}

export const sizeOf = (c: Cls): Size => (c === 'w' ? 4 : 8);
export const fitsS32 = (x: bigint): boolean => x >= -(1n << 31n) && x < 1n << 31n;
/** The immediate as the instruction of that width sees it (sign-extended view). */
export const immOf = (x: bigint, sz: Size): bigint => BigInt.asIntN(sz * 8, x);
export const immFits = (x: bigint, sz: Size): boolean => sz < 8 || fitsS32(BigInt.asIntN(64, x));

export const reg = (r: number, sz: Size): MOp => ({ k: 'reg', r, sz });

export const imm = (v: bigint): MOp => ({ k: 'imm', v });
