// Emission: allocated machine code as assembler items: frame layout, prologue and epilogue with
// call frame information, physical registers, jump cleanup, tail duplication, and the locations
// of user variables (varlocs.ts) for debug information.

import type { SourceLoc } from '../../linker/object.js';
import type { Instr, Item, Operand } from '../asm/items.js';
import { CALLEE_SAVED, FIRST_VREG, imm, RBP, regName, RSP, type MFunc, type MInst, type MOp, type Size } from './mach.js';
import { DWARF_REG, isNopCopy, VarTracker } from './varlocs.js';

const INVERSE: Record<string, string> = { e: 'ne', ne: 'e', l: 'ge', ge: 'l', le: 'g', g: 'le', b: 'ae', ae: 'b', be: 'a', a: 'be' };

export interface Frame {
  saved: number[]; // callee-saved registers pushed after rbp, in push order
  slotOffset: number[]; // rbp-relative offset of each slot
  size: number; // bytes subtracted from rsp after the pushes
}

export function layoutFrame(mf: MFunc, used: Set<number>): Frame {
  const saved = CALLEE_SAVED.filter((r) => used.has(r));
  let cur = 8 * saved.length;
  const slotOffset = mf.slots.map((s) => {
    cur = Math.ceil((cur + s.size) / s.align) * s.align;
    return -cur;
  });
  const total = Math.ceil((cur + mf.outArgs) / 16) * 16;
  return { saved, slotOffset, size: total - 8 * saved.length };
}

/**
 * Jumps to a block that only jumps go straight to where it jumps (critical-edge blocks whose phi
 * copies all coalesced are left as a lone `jmp`): no chain of `jmp`s between two blocks.
 */
export function threadJumps(mf: MFunc, vanishes: (i: MInst) => boolean): void {
  const byLabel = new Map(mf.blocks.map((b) => [b.label, b]));
  const onlyJumps = (label: string): string | undefined => {
    const body = byLabel.get(label)?.insts.filter((i) => !vanishes(i));
    const j = body?.length === 1 ? body[0] : undefined;
    return j?.mnem === 'jmp' && j.ops[0].k === 'label' ? j.ops[0].name : undefined;
  };
  const final = (label: string): string => {
    for (let n = 0, next = onlyJumps(label); next !== undefined && next !== label && n < 16; n++, next = onlyJumps(label)) label = next;
    return label;
  };
  for (const b of mf.blocks) {
    b.insts = b.insts.map((i) => {
      const op = i.ops[0];
      return i.mnem.startsWith('j') && op?.k === 'label' ? { ...i, ops: [{ ...op, name: final(op.name) }, ...i.ops.slice(1)] } : i;
    });
  }
}

/**
 * Tail duplication after allocation: a `jmp` to a short block that ends in a branch or a return is
 * replaced by a copy of that block. This rotates loops (the test runs at the bottom of the body,
 * one taken branch per iteration) and gives each path its own return. Registers hold the same
 * values at the jump as at the target, so copying allocated code is exact.
 */
function duplicateSmallTails(mf: MFunc, vanishes: (i: MInst) => boolean): void {
  const byLabel = new Map(mf.blocks.map((b) => [b.label, b]));
  mf.blocks.forEach((b, k) => {
    const last = b.insts[b.insts.length - 1];
    if (last?.mnem !== 'jmp' || last.ops[0].k !== 'label') return;
    const t = byLabel.get(last.ops[0].name);
    if (!t || t === b || t === mf.blocks[k + 1]) return;
    const body = t.insts.filter((i) => !vanishes(i));
    const end = body[body.length - 1];
    const branches = body.length >= 2 && end.mnem === 'jmp' && body[body.length - 2].mnem.startsWith('j');
    const returns = end?.mnem === 'ret';
    if (!(branches && body.length <= 4) && !(returns && body.length <= 2)) return;
    if (body.slice(0, branches ? -2 : -1).some((i) => i.mnem.startsWith('j') || i.mnem === 'ret' || i.mnem === 'call')) return;
    b.insts = [...b.insts.slice(0, -1), ...body];
  });
}

/**
 * `lea k(%r), %r` and `lea (%r,%s), %r` become `add`: shorter, and what a person would write.
 * Safe for the flags: a flag-setting instruction and its consumer are always adjacent.
 */
function leaToAdd(i: MInst, phys: (r: number) => number): MInst {
  if (i.mnem !== 'leal' && i.mnem !== 'leaq') return i;
  const [m, d] = i.ops;
  if (m.k !== 'mem' || d.k !== 'reg' || m.rip || m.slot !== undefined || m.base === undefined) return i;
  const sfx = i.mnem.slice(3);
  const dst = phys(d.r);
  if (m.index === undefined && phys(m.base) === dst) return { ...i, mnem: `add${sfx}`, ops: [imm(m.disp), d], acc: ['r', 'rw'] };
  if (m.index !== undefined && (m.scale ?? 1) === 1 && m.disp === 0n) {
    if (phys(m.base) === dst) return { ...i, mnem: `add${sfx}`, ops: [{ k: 'reg', r: m.index, sz: d.sz }, d], acc: ['r', 'rw'] };
    if (phys(m.index) === dst) return { ...i, mnem: `add${sfx}`, ops: [{ k: 'reg', r: m.base, sz: d.sz }, d], acc: ['r', 'rw'] };
  }
  return i;
}

/** Turns allocated machine code into items: `colour` maps every virtual register to a physical one. */
export function emitFunc(mf: MFunc, colour: Map<number, number>): Item[] {
  const phys = (r: number): number => (r < FIRST_VREG ? r : colour.get(r)!);
  const used = new Set<number>();
  for (const b of mf.blocks) {
    for (const i of b.insts) {
      for (const op of i.ops) {
        if (op.k === 'reg') used.add(phys(op.r));
        if (op.k === 'mem') for (const r of [op.base, op.index]) if (r !== undefined) used.add(phys(r));
      }
      for (const r of i.implDefs ?? []) if (i.mnem !== 'call' && i.mnem !== 'syscall') used.add(r);
    }
  }
  const frame = layoutFrame(mf, used);
  const items: Item[] = [];
  const ins = (mnem: string, ops: Operand[], loc?: SourceLoc, prefixes?: string[]): void => {
    const it: Instr = { kind: 'instr', mnem, ops, loc };
    if (prefixes) it.prefixes = prefixes;
    items.push(it);
  };
  const R = (r: number, sz: Size): Operand => ({ kind: 'reg', reg: regName(r, sz) });
  const loc = mf.loc;
  items.push({ kind: 'align', align: 16 });
  if (mf.exported) items.push({ kind: 'global', name: mf.name });
  items.push({ kind: 'type', name: mf.name, type: 'function' });
  items.push({ kind: 'label', name: mf.name, loc });
  // Call frame information (cfi items): the frame after each instruction that changes it. rbp
  // is saved at CFA - 16 and the pushed registers below it, in push order.
  const cfi = (cfaReg: number, cfaOffset: number, saved: number[]): void => {
    const regs = saved.map((r, k) => ({ reg: DWARF_REG[r], offset: -16 - 8 * k }));
    items.push({ kind: 'cfi', frame: { func: mf.name, cfa: { reg: DWARF_REG[cfaReg], offset: cfaOffset }, saved: regs } });
  };
  const inFrame = [RBP, ...frame.saved];
  ins('pushq', [R(RBP, 8)], loc);
  cfi(RSP, 16, [RBP]);
  ins('movq', [R(RSP, 8), R(RBP, 8)], loc);
  cfi(RBP, 16, [RBP]);
  frame.saved.forEach((r, k) => (ins('pushq', [R(r, 8)], loc), cfi(RBP, 16, inFrame.slice(0, k + 2))));
  if (frame.size) ins('subq', [{ kind: 'imm', value: { addend: BigInt(frame.size) } }, R(RSP, 8)], loc);

  const operand = (op: MOp): Operand => {
    switch (op.k) {
      case 'reg':
        return R(phys(op.r), op.sz);
      case 'sreg':
        return { kind: 'reg', reg: op.name };
      case 'imm':
        return { kind: 'imm', value: { sym: op.sym, addend: op.v } };
      case 'label':
        return { kind: 'target', value: { sym: op.name, addend: 0n } };
      case 'mem': {
        const m: Operand = { kind: 'mem', disp: { addend: op.disp } };
        if (op.rip) {
          m.base = 'rip';
          m.disp = { sym: op.sym, addend: op.disp };
        } else if (op.sym !== undefined) {
          m.disp = { sym: op.sym, addend: op.disp };
        } else if (op.slot !== undefined) {
          m.base = 'rbp';
          m.disp = { addend: BigInt(frame.slotOffset[op.slot]) + op.disp };
        } else if (op.base !== undefined) m.base = regName(phys(op.base), 8);
        if (op.seg) m.seg = op.seg;
        if (op.index !== undefined) {
          m.index = regName(phys(op.index), 8);
          m.scale = op.scale ?? 1;
        }
        return m;
      }
    }
  };
  const epilogue = (l?: SourceLoc): void => {
    if (frame.saved.length) {
      if (frame.size) ins('leaq', [{ kind: 'mem', base: 'rbp', disp: { addend: BigInt(-8 * frame.saved.length) } }, R(RSP, 8)], l);
      for (let k = frame.saved.length - 1; k >= 0; k--) (ins('popq', [R(frame.saved[k], 8)], l), cfi(RBP, 16, inFrame.slice(0, k + 1)));
      ins('popq', [R(RBP, 8)], l);
    } else if (frame.size) ins('leave', [], l);
    else ins('popq', [R(RBP, 8)], l);
    cfi(RSP, 8, []);
    ins('ret', [], l);
    cfi(RBP, 16, inFrame); // the code after a return is reached by a jump, inside the frame
  };

  const afterPrologue = items.length;
  threadJumps(mf, (i) => i.mnem === 'entry' || isNopCopy(i, phys));
  duplicateSmallTails(mf, (i) => i.mnem === 'entry' || isNopCopy(i, phys));
  // Where user variables are, from the final code (after tail duplication).
  let vt: VarTracker | undefined;
  if (mf.vars?.length) {
    vt = new VarTracker(mf, mf.vars, phys, frame.slotOffset);
    items.splice(afterPrologue, 0, ...vt.declare());
  }
  mf.blocks.forEach((b, k) => {
    items.push({ kind: 'label', name: b.label });
    if (vt) items.push(...vt.block(k));
    const next = mf.blocks[k + 1]?.label;
    const body = b.insts;
    for (let n = 0; n < body.length; n++) {
      const i = body[n];
      if (i.mnem === 'entry' || isNopCopy(i, phys)) {
        if (vt) items.push(...vt.after(i));
        continue;
      }
      if (i.mnem === 'ret') {
        if (vt) items.push(...vt.epilogue());
        epilogue(i.loc);
        continue;
      }
      // Branches: fall through to the next block where possible.
      const target = (x: MInst | undefined) => (x && x.ops[0]?.k === 'label' ? x.ops[0].name : undefined);
      if (i.mnem === 'jmp' && target(i) === next && n === body.length - 1) continue;
      const after = body[n + 1];
      const cc = i.mnem.startsWith('j') && i.mnem !== 'jmp' ? i.mnem.slice(1) : undefined;
      if (cc && after?.mnem === 'jmp' && n + 1 === body.length - 1 && target(i) === next && INVERSE[cc]) {
        ins(`j${INVERSE[cc]}`, [operand(after.ops[0])], i.loc);
        n++;
        continue;
      }
      const j = leaToAdd(i, phys);
      if (vt) items.push(...vt.before(i));
      ins(j.mnem, j.ops.map(operand), j.loc, j.prefixes);
      if (vt) items.push(...vt.after(i));
    }
  });
  const end = `.L${mf.name}_end`;
  items.push({ kind: 'label', name: end });
  items.push({ kind: 'size', name: mf.name, expr: { kind: 'binary', op: '-', left: { kind: 'sym', name: end }, right: { kind: 'sym', name: mf.name } } });
  return items;
}
