// Call lowering for the System V AMD64 ABI: the incoming parameters (the first six in rdi, rsi,
// rdx, rcx, r8, r9, the rest on the stack above the saved rbp) and outgoing calls (arguments into
// the same registers and the outgoing argument area, the result from rax). The moves to and from
// physical registers are coalesced by the register allocator.

import type { Cls, Value } from '../ir/ir.js';
import { ARG_REGS, CALLER_SAVED, RAX, RBP, RSP, reg, sizeOf, SUFFIX, type MOp, type SelectCtx } from './mach.js';
import { valueCls } from '../ir/walk.js';

export function selectParams(sel: SelectCtx): void {
  const f = sel.f;
  const inRegs = f.params.slice(0, 6);
  sel.emit('entry', [], [], { implDefs: ARG_REGS.slice(0, inRegs.length) });
  inRegs.forEach((p, k) => sel.copy(ARG_REGS[k], sel.v(p.vreg), sizeOf(p.cls)));
  f.params.slice(6).forEach((p, k) => {
    const sz = sizeOf(p.cls);
    sel.emit(`mov${SUFFIX[sz]}`, [{ k: 'mem', base: RBP, disp: BigInt(16 + 8 * k) }, reg(sel.v(p.vreg), sz)], ['r', 'w']);
  });
}

export function selectCall(sel: SelectCtx, callee: Value, args: Value[], dst: number | undefined, cls: Cls | undefined): void {
  const target = callee.kind === 'sym' && callee.addend === 0n ? undefined : sel.regOf(callee, 8);
  args.slice(6).forEach((v, k) => {
    const sz = sizeOf(valueCls(v));
    const mem: MOp = { k: 'mem', base: RSP, disp: BigInt(8 * k) };
    sel.emit(`mov${SUFFIX[sz]}`, [sel.srcOf(v, sz), mem], ['r', 'r']);
  });
  sel.mf.outArgs = Math.max(sel.mf.outArgs, 8 * Math.max(0, args.length - 6));
  args.slice(0, 6).forEach((v, k) => sel.materialise(v, ARG_REGS[k], sizeOf(valueCls(v))));
  const implUses = ARG_REGS.slice(0, Math.min(6, args.length));
  const more = { implUses, implDefs: CALLER_SAVED };
  if (target) sel.emit('call', [target], ['r'], more);
  else sel.emit('call', [{ k: 'label', name: (callee as { name: string }).name }], ['n'], more);
  if (dst !== undefined) sel.copy(RAX, sel.v(dst), sizeOf(cls ?? 'l'));
}
