// The compiler's intermediate representation: the contract between the front end (lower.ts) and
// the back end (passes, register allocation, instruction selection).
//
// Shaped after QBE: a function is a list of basic blocks; a block is a list of instructions ending
// in one terminator; values in registers have one of two classes, 32-bit (`w`) or 64-bit (`l`).
// Narrower integers live only in memory and in the front end's type system: the front end inserts
// explicit extensions wherever a wrap to 8 or 16 bits must be observable. Signedness lives in the
// operations (sdiv/udiv, slt/ult, sar/shr, sext/zext), not in the values.
//
// The front end emits local variables as stack slots (`alloca`) with loads and stores; the mem2reg
// pass promotes every slot whose address does not escape into SSA values with phis. After that
// pass every vreg has exactly one definition. Every instruction carries its source position.

import type { DebugType, SourceLoc } from '../../linker/object.js';

/** Register class of a value: 32-bit or 64-bit integer. */
export type Cls = 'w' | 'l';

/** Memory access width in bytes. */
export type Width = 1 | 2 | 4 | 8;

export type Value =
  | { kind: 'vreg'; id: number; cls: Cls }
  | { kind: 'const'; value: bigint; cls: Cls } // normalised to the class's width, two's complement
  | { kind: 'sym'; name: string; addend: bigint }; // address of a function, global or string (class l)

export type BinOp =
  | 'add' | 'sub' | 'mul'
  | 'sdiv' | 'udiv' | 'srem' | 'urem'
  | 'and' | 'or' | 'xor'
  | 'shl' | 'shr' | 'sar'; // shift counts are masked to the width, as x86 does

export type CmpOp = 'eq' | 'ne' | 'slt' | 'sle' | 'sgt' | 'sge' | 'ult' | 'ule' | 'ugt' | 'uge';

export type Inst =
  /** dst = a op b; both operands and dst have class `cls`. */
  | { op: 'bin'; bin: BinOp; cls: Cls; dst: number; a: Value; b: Value; loc?: SourceLoc }
  /** dst = op a (neg: two's complement negation, not: bitwise complement). */
  | { op: 'un'; un: 'neg' | 'not'; cls: Cls; dst: number; a: Value; loc?: SourceLoc }
  /** dst (class w) = (a cmp b) ? 1 : 0, comparing at class `cls`. */
  | { op: 'cmp'; cmp: CmpOp; cls: Cls; dst: number; a: Value; b: Value; loc?: SourceLoc }
  /**
   * dst = extend or truncate a. `from` is the source width in bytes whose low bits are kept;
   * `signed` picks sign- or zero-extension to the destination class. trunc l->w is
   * { from: 4, cls: 'w' }; u8 wrap is { from: 1, signed: false, cls: 'w' }.
   */
  | { op: 'ext'; cls: Cls; dst: number; a: Value; from: Width; signed: boolean; loc?: SourceLoc }
  /** dst = a (class cls). */
  | { op: 'copy'; cls: Cls; dst: number; a: Value; loc?: SourceLoc }
  /** dst = (cond != 0) ? a : b. */
  | { op: 'select'; cls: Cls; dst: number; cond: Value; a: Value; b: Value; loc?: SourceLoc }
  /** dst = zero/sign-extended load of `width` bytes from addr (class l). */
  | { op: 'load'; cls: Cls; dst: number; addr: Value; width: Width; signed: boolean; volatile?: boolean; loc?: SourceLoc }
  /** store the low `width` bytes of value to addr. */
  | { op: 'store'; addr: Value; value: Value; width: Width; volatile?: boolean; loc?: SourceLoc }
  /** dst = address of a fresh stack slot of `size` bytes in this frame. */
  | { op: 'alloca'; dst: number; size: number; align: number; loc?: SourceLoc }
  /**
   * Call a function: `callee` is a sym (direct) or a vreg (indirect). System V AMD64: up to six
   * integer arguments in registers, the rest on the stack. dst is absent for void calls.
   */
  | { op: 'call'; callee: Value; args: Value[]; dst?: number; cls?: Cls; loc?: SourceLoc }
  /**
   * A machine intrinsic, mapped 1:1 to instructions by the back end: outb, inb, cli, hlt, rdmsr,
   * write_cr3, lgdt, atomic_xchg, memcpy, syscall ... (see docs/language.md for the list).
   * `width` gives the operand size where the intrinsic is generic (atomics, in/out).
   */
  | { op: 'intrin'; name: string; args: Value[]; dst?: number; cls?: Cls; width?: Width; loc?: SourceLoc }
  /** SSA join: dst = the value from the predecessor block control came from. */
  | { op: 'phi'; cls: Cls; dst: number; incoming: { block: number; value: Value }[]; loc?: SourceLoc };

export type Terminator =
  | { op: 'jmp'; target: number; loc?: SourceLoc }
  | { op: 'br'; cond: Value; then: number; else: number; loc?: SourceLoc } // cond != 0
  | { op: 'ret'; value?: Value; loc?: SourceLoc }
  | { op: 'unreachable'; loc?: SourceLoc }; // ud2

export interface Block {
  id: number; // index into Func.blocks
  insts: Inst[];
  term: Terminator;
}

export interface Param {
  vreg: number;
  cls: Cls;
  name: string; // source name, for listings and debug info
}

export interface Func {
  name: string; // linker symbol
  exported: boolean; // global binding (otherwise local to the object)
  params: Param[];
  ret?: Cls; // absent for void
  blocks: Block[]; // blocks[0] is the entry
  nextVreg: number; // vregs are numbered 0 .. nextVreg-1
  inline: 'always' | 'never' | 'auto'; // from /** @inline */, or the inliner's choice
  loc?: SourceLoc;
  /** Source names of vregs that hold user variables, for listings and, later, DWARF locals. */
  names?: Map<number, string>;
  /** Debug types of the `names` entries (optional: a variable without one gets no type). */
  types?: Map<number, DebugType>;
  /** User variables for debug information, as mem2reg leaves them (ssa.ts). */
  vars?: DebugVar[];
}

/**
 * A user variable and where its value is after mem2reg: in one SSA value (assigned once), a
 * constant (assigned once, a constant), in a stack slot (not promoted), or none of these
 * (assigned more than once: debug information says nothing about where it is).
 */
export interface DebugVar {
  name: string;
  param: boolean;
  type?: DebugType;
  value?: number; // vreg
  constant?: bigint;
  slot?: number; // vreg of the alloca
}

/** A relocated word inside a global's bytes: `width` bytes at `offset` hold sym + addend. */
export interface DataReloc {
  offset: number;
  width: 4 | 8;
  sym: string;
  addend: bigint;
}

export interface Global {
  name: string;
  exported: boolean;
  section: 'data' | 'rodata' | 'bss';
  align: number;
  size: number;
  bytes?: Uint8Array; // absent for bss
  relocs: DataReloc[];
  /**
   * A static object of a polymorphic class (`let dev!: Inline<C>`): its first 8 bytes, the vtable
   * pointer, hold C's vtable for the whole run (no code writes a vtable pointer), so a load of
   * them is that address (passes/devirt.ts).
   */
  fixedVptr?: boolean;
  loc?: SourceLoc;
}

export interface Module {
  funcs: Func[];
  globals: Global[];
  /** Symbols used but defined elsewhere (`declare function`, the target's start files). */
  externs: string[];
}
