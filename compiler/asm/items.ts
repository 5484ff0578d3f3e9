// The assembler's input: a flat list of items (instructions, labels, data, directives).
//
// Both producers build these records directly: the `.S` reader from AT&T text, the code generator
// from IR. The assembler (assemble.ts) turns a list into an ObjectFile; the listing writer prints
// one back as AT&T text that GNU as assembles to the same bytes. No stage parses text another
// stage printed.
//
// Operand order is AT&T order everywhere (sources first, destination last), so that a record and
// its listing line read the same way.

import type { DebugType, FrameEntry, SourceLoc, VarEntry } from '../../linker/object.js';

/** Register names as GNU as spells them without the `%`: rax, eax, ax, al, ah, r8d, spl, cr3, cs ... */
export type RegName = string;

/** A symbolic expression value: `sym + addend`, or a plain constant when sym is absent. */
export interface SymValue {
  sym?: string;
  addend: bigint;
  reloc?: RelocModifier; // sym@PLT, sym@GOTPCREL
}

/** GNU as relocation modifiers written after a symbol: `call f@PLT`, `movq v@GOTPCREL(%rip), %rax`. */
export type RelocModifier = 'plt' | 'gotpcrel';

export interface RegOperand {
  kind: 'reg';
  reg: RegName;
}

/** `$value` in AT&T syntax: an immediate, possibly a symbol's address (relocated). */
export interface ImmOperand {
  kind: 'imm';
  value: SymValue;
}

/**
 * A memory operand `seg:disp(base, index, scale)`. A `rip` base means RIP-relative; its `disp` may
 * name a symbol (then the assembler emits a PC32 relocation). `disp` alone is an absolute address.
 */
export interface MemOperand {
  kind: 'mem';
  seg?: RegName;
  disp: SymValue;
  base?: RegName; // 'rip' for RIP-relative
  index?: RegName;
  scale?: 1 | 2 | 4 | 8;
}

/** The target of a direct jmp/jcc/call: a label or symbol, relaxed to short or near by the assembler. */
export interface TargetOperand {
  kind: 'target';
  value: SymValue;
}

export type Operand = RegOperand | ImmOperand | MemOperand | TargetOperand;

/**
 * One machine instruction. `mnem` is the GNU as mnemonic (e.g. `addq`, `movzbl`, `jne`, `lgdt`,
 * `lretq`); the size suffix may be left off where a register operand fixes the width, exactly as
 * GNU as allows. `prefixes` holds `lock`, `rep`, `repe`, `repne` when written.
 */
export interface Instr {
  kind: 'instr';
  mnem: string;
  ops: Operand[];
  prefixes?: string[];
  loc?: SourceLoc;
}

/** A constant expression in a data directive or `.set`: evaluated by the assembler. */
export type Expr =
  | { kind: 'num'; value: bigint }
  | { kind: 'sym'; name: string; reloc?: RelocModifier }
  | { kind: 'unary'; op: '-' | '~' | '!'; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

export type Item =
  | Instr
  | { kind: 'label'; name: string; loc?: SourceLoc }
  | { kind: 'section'; name: string; flags?: string; type?: string; loc?: SourceLoc } // .section name,"flags",@type
  | { kind: 'code'; bits: 16 | 32 | 64; loc?: SourceLoc } // .code32 / .code64
  | { kind: 'global'; name: string; loc?: SourceLoc } // .globl
  | { kind: 'local'; name: string; loc?: SourceLoc } // .local
  | { kind: 'weak'; name: string; loc?: SourceLoc }
  | { kind: 'type'; name: string; type: 'function' | 'object'; loc?: SourceLoc } // .type sym,@function
  | { kind: 'size'; name: string; expr: Expr; loc?: SourceLoc } // .size sym, expr
  | { kind: 'set'; name: string; expr: Expr; loc?: SourceLoc } // .set / .equ
  | { kind: 'align'; align: number; fill?: number; max?: number; loc?: SourceLoc } // in bytes (.balign semantics)
  | { kind: 'data'; width: 1 | 2 | 4 | 8; values: Expr[]; loc?: SourceLoc } // .byte .word .long .quad
  | { kind: 'bytes'; bytes: Uint8Array; loc?: SourceLoc } // .ascii / .asciz, already encoded
  | { kind: 'fill'; count: Expr; size: number; value: Expr; loc?: SourceLoc } // .fill / .zero / .skip
  | { kind: 'comment'; text: string } // listings only
  | { kind: 'debugvar'; v: Omit<VarEntry, 'offset'> } // where a variable is from here on; no bytes, not listed
  | { kind: 'cfi'; frame: Omit<FrameEntry, 'offset'> } // the call frame from here on; no bytes, not listed
  | Group;

/**
 * A function's code as the code generator leaves it: an alignment, then items whose bytes depend
 * on nothing outside them (their branches stay inside, no alignment or data between), made when
 * first needed. Items with the same key are the same, so the assembler and the listing writer
 * keep what they made of a group by its key for the life of the process (a rebuild in watch mode
 * or the build server reassembles only the functions an edit changed).
 */
export interface Group {
  kind: 'group';
  key: string;
  items: () => Item[];
  /** varTypes(items()), or undefined if they cannot be had without the items: what was kept of
   *  the group refers to its variables' types by their place in this list (the DWARF writer tells
   *  structs apart by object, so they must be this build's). */
  varTypes: () => DebugType[] | undefined;
  /** itemLocs(items()): what was kept of the group refers to its source locations by their place
   *  in this list, so that a function that moved gets this build's lines. */
  locs: () => SourceLoc[];
}

/** The source locations of a list of items, each object once, in the order first met. */
export function itemLocs(items: Item[]): SourceLoc[] {
  const out = new Set<SourceLoc>();
  for (const it of items) if ('loc' in it && it.loc) out.add(it.loc);
  return [...out];
}

/** The debug types of the variables of a list of items, each once, in the order first met. */
export function varTypes(items: Item[]): DebugType[] {
  const out = new Set<DebugType>();
  for (const it of items) if (it.kind === 'debugvar' && it.v.type) out.add(it.v.type);
  return [...out];
}
