// The IR function builder used by lowering: blocks, vregs, instructions, allocas; dead code after a
// jump goes to a block of its own and finishBlocks drops it.

import type { Block, Inst, Terminator, Value } from './ir.js';
import { constant } from './fold.js';
import type { SourceLoc } from '../../linker/object.js';

export const W = (v: bigint): Value => konst(v, 'w');
export const konst = constant;

export class Builder {
  blocks: Block[] = [];
  cur: Block;
  done = new Set<number>(); // blocks that have their terminator
  allocas: Inst[] = [];
  nextVreg = 0;
  loc?: SourceLoc;

  constructor() {
    this.cur = this.newBlock();
  }
  newBlock(): Block {
    const b: Block = { id: this.blocks.length, insts: [], term: { op: 'unreachable' } };
    this.blocks.push(b);
    return b;
  }
  vreg(): number {
    return this.nextVreg++;
  }
  emit(i: Inst): void {
    if (this.done.has(this.cur.id)) this.cur = this.newBlock(); // dead code after a jump: kept apart, removed later
    i.loc = this.loc;
    this.cur.insts.push(i);
  }
  term(t: Terminator): void {
    if (this.done.has(this.cur.id)) return;
    t.loc = this.loc;
    this.cur.term = t;
    this.done.add(this.cur.id);
  }
  jmp(target: Block): void {
    this.term({ op: 'jmp', target: target.id });
  }
  br(cond: Value, t: Block, f: Block): void {
    if (cond.kind === 'const') this.jmp(cond.value !== 0n ? t : f);
    else this.term({ op: 'br', cond, then: t.id, else: f.id });
  }
  setBlock(b: Block): void {
    this.cur = b;
  }
  get reachable(): boolean {
    return !this.done.has(this.cur.id);
  }
  alloca(size: number, align: number): Value {
    const dst = this.vreg();
    this.allocas.push({ op: 'alloca', dst, size: Math.max(size, 1), align, loc: this.loc });
    return { kind: 'vreg', id: dst, cls: 'l' };
  }
}

/** Puts the allocas at the top of the entry block, drops blocks control cannot reach and renumbers the rest (blocks[i].id === i). */
export function finishBlocks(b: Builder): Block[] {
  b.blocks[0].insts.unshift(...b.allocas);
  const seen = new Set<number>([0]);
  const order = [0];
  for (let i = 0; i < order.length; i++) {
    const t = b.blocks[order[i]].term;
    const succ = t.op === 'jmp' ? [t.target] : t.op === 'br' ? [t.then, t.else] : [];
    for (const s of succ) if (!seen.has(s)) seen.add(s), order.push(s);
  }
  const keep = b.blocks.filter((blk) => seen.has(blk.id));
  const map = new Map(keep.map((blk, i) => [blk.id, i]));
  for (const blk of keep) {
    blk.id = map.get(blk.id)!;
    const t = blk.term;
    if (t.op === 'jmp') t.target = map.get(t.target)!;
    if (t.op === 'br') {
      t.then = map.get(t.then)!;
      t.else = map.get(t.else)!;
    }
  }
  return keep;
}
