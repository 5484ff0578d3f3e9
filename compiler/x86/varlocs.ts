// Where user variables are in allocated machine code, for debug information: `debugvar` items
// the emitter places between instructions, each saying where a variable is from there on.
//
// Only what is certain is said; elsewhere a variable is nowhere (gdb: <optimized out>):
//   - a variable assigned once holds its one SSA value. It is in that value's register from the
//     instruction that finishes computing it until something overwrites the register, on every
//     path: a forward "must" dataflow over the final code (a join keeps a place only if every
//     predecessor agrees). Spilled values and values whose computation was folded into another
//     instruction are never "computed", so they stay nowhere.
//   - a variable assigned once with a constant is that constant everywhere.
//   - a variable left in memory (InlineArray, Inline struct, address taken) is at its frame slot,
//     rbp-relative, between the prologue and each epilogue.
//   - a variable assigned more than once is nowhere: its values move between registers and the
//     dataflow would need to know which value is current where, which the IR no longer says.
// Around every call instruction the caller-saved registers are hidden: a debugger looks variables
// of outer frames up at the return address - 1, inside the call, where those registers hold
// whatever the callee left. Callee-saved ones (rbx, r12-r15) stay shown: every generated function
// has call frame information (.debug_frame) saying where it saved them, so the debugger recovers
// the caller's values.

import type { VarPlace } from '../../linker/object.js';
import type { DebugVar } from '../ir/ir.js';
import type { Item } from '../asm/items.js';
import type { MFunc, MInst, MVar } from './mach.js';
import { regsOf } from './regalloc.js';

/** A variable as the machine function knows it: `reg` is the machine register of its value. */
/** The machine-level variables of an IR function's variables; `v` maps an IR vreg to its register. */
export function machineVars(vars: DebugVar[] | undefined, v: (id: number) => number, allocaSlot: Map<number, number>, argRegs: Map<number, number>): MVar[] {
  return (vars ?? []).map((d, id) => ({
    id, name: d.name, param: d.param, type: d.type, constant: d.constant,
    reg: d.value !== undefined ? v(d.value) : undefined,
    argReg: d.param && d.value !== undefined ? argRegs.get(d.value) : undefined,
    slot: d.slot !== undefined ? allocaSlot.get(d.slot) : undefined,
  }));
}

// Our register numbers (mach.ts: rax rcx rdx rbx rsp rbp rsi rdi r8..r15) -> DWARF's (psABI 3.6.2).
export const DWARF_REG = [0, 2, 1, 3, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15];

/** The place keys of the callee-saved registers rbx, r12..r15 (CALLEE_SAVED in mach.ts). */
const SURVIVES_CALL = new Set(['r3', 'r12', 'r13', 'r14', 'r15']);

type State = Map<number, string>; // variable id -> place key: `r<phys>` or `s<rbp offset>`

const placeOf = (key: string): VarPlace => (key[0] === 'r' ? { reg: DWARF_REG[Number(key.slice(1))] } : { fbreg: Number(key.slice(1)) });

/** A copy the emitter drops because both sides got one register: it changes nothing. */
export const isNopCopy = (i: MInst, phys: (r: number) => number): boolean =>
  i.copy === true && i.ops[0].k === 'reg' && i.ops[1].k === 'reg' && phys(i.ops[0].r) === phys(i.ops[1].r);

export class VarTracker {
  private in: (State | undefined)[] = [];
  private establishes = new Map<MInst, number[]>();
  private shown: State = new Map();
  private cur: State = new Map();
  private hidden = false; // before() hid the registers: after() shows them again

  constructor(private mf: MFunc, private vars: MVar[], private phys: (r: number) => number, slotOffset: number[]) {
    const initial: State = new Map();
    for (const v of vars) if (v.slot !== undefined) initial.set(v.id, `s${slotOffset[v.slot]}`);
    const succs = this.successors();
    if (succs) this.findEstablishing();
    this.solve(initial, succs ?? mf.blocks.map(() => []));
  }

  /** Successor block indexes from the final code's jumps and fall-throughs; undefined if unknown. */
  private successors(): number[][] | undefined {
    const index = new Map(this.mf.blocks.map((b, k) => [b.label, k]));
    const out: number[][] = [];
    for (let k = 0; k < this.mf.blocks.length; k++) {
      const s: number[] = [];
      const insts = this.mf.blocks[k].insts.filter((i) => i.mnem !== 'entry');
      for (const i of insts) {
        if (!i.mnem.startsWith('j')) continue;
        const t = i.ops[0]?.k === 'label' ? index.get(i.ops[0].name) : undefined;
        if (t === undefined) return undefined; // an indirect jump or one out of the function
        s.push(t);
      }
      const last = insts[insts.length - 1]?.mnem;
      if (last !== 'jmp' && last !== 'ret' && last !== 'ud2' && k + 1 < this.mf.blocks.length) s.push(k + 1);
      out.push(s);
    }
    return out;
  }

  /** For each register-held variable, the instruction that finishes computing its value. */
  private findEstablishing(): void {
    const want = new Map<number, MVar>();
    for (const v of this.vars) if (v.reg !== undefined) want.set(v.reg, v);
    const last = new Map<number, { block: number; inst: MInst | undefined }>();
    this.mf.blocks.forEach((b, k) => {
      for (const i of b.insts) {
        for (const d of regsOf(i).defs) {
          if (!want.has(d)) continue;
          const seen = last.get(d);
          // Defined in two blocks (rematerialised, duplicated): not one place to point at.
          last.set(d, { block: k, inst: seen && seen.block !== k ? undefined : i });
        }
      }
    });
    // A parameter is in its argument register from the entry on (the register allocator may then
    // copy it elsewhere, which the value's own definition establishes).
    const entry = this.mf.blocks[0]?.insts.find((i) => i.mnem === 'entry');
    for (const v of this.vars) {
      if (!entry || v.argReg === undefined) continue;
      const list = this.establishes.get(entry) ?? [];
      list.push(v.id);
      this.establishes.set(entry, list);
    }
    for (const [r, { inst }] of last) {
      if (!inst) continue;
      const list = this.establishes.get(inst) ?? [];
      list.push(want.get(r)!.id);
      this.establishes.set(inst, list);
    }
  }

  /** Applies an instruction to a state; true if the state changed. */
  private transfer(s: State, i: MInst): boolean {
    let changed = false;
    if (s.size && !isNopCopy(i, this.phys)) {
      for (const d of regsOf(i).defs) {
        const key = `r${this.phys(d)}`;
        for (const [id, k] of s) if (k === key) (s.delete(id), (changed = true));
      }
    }
    const vars = this.establishes.get(i);
    if (vars) for (const id of vars) (s.set(id, `r${this.phys(i.mnem === 'entry' ? this.vars[id].argReg! : this.vars[id].reg!)}`), (changed = true));
    return changed;
  }

  private solve(initial: State, succs: number[][]): void {
    const n = this.mf.blocks.length;
    const preds: number[][] = Array.from({ length: n }, () => []);
    succs.forEach((ss, k) => ss.forEach((s) => preds[s].push(k)));
    const out: (State | undefined)[] = new Array(n).fill(undefined);
    for (let changed = true; changed; ) {
      changed = false;
      for (let k = 0; k < n; k++) {
        let s: State | undefined = k === 0 ? new Map(initial) : undefined;
        for (const p of preds[k]) {
          const o = out[p];
          if (!o) continue; // not reached yet: optimistic, as a must-analysis starts
          if (!s) s = new Map(o);
          else for (const [id, key] of s) if (o.get(id) !== key) s.delete(id);
        }
        if (!s) continue;
        this.in[k] = new Map(s);
        for (const i of this.mf.blocks[k].insts) if (i.mnem !== 'ret') this.transfer(s, i);
        if (!sameState(out[k], s)) (out[k] = s), (changed = true);
      }
    }
  }

  /** Declarations at the function's label: every variable, constants with their value. */
  declare(): Item[] {
    return this.vars.map((v) => this.item(v, v.constant !== undefined ? { value: v.constant } : undefined));
  }

  /** At a block's label: where variables are on entry. */
  block(k: number): Item[] {
    this.cur = new Map(this.in[k] ?? []);
    return this.show(this.cur);
  }

  /** Before an instruction: a call hides caller-saved register places (see the file comment). */
  before(i: MInst): Item[] {
    if (i.mnem !== 'call') return [];
    const s = new Map([...this.shown].filter(([, k]) => k[0] !== 'r' || SURVIVES_CALL.has(k)));
    if (s.size === this.shown.size) return [];
    this.hidden = true;
    return this.show(s);
  }

  /** After an instruction (also one the emitter drops): its effect on the places. */
  after(i: MInst): Item[] {
    if (!this.transfer(this.cur, i) && !this.hidden) return [];
    this.hidden = false;
    return this.show(this.cur);
  }

  /** Before an epilogue: rbp and the registers are about to become the caller's. */
  epilogue(): Item[] {
    return this.show(new Map());
  }

  private show(target: State): Item[] {
    const items: Item[] = [];
    const ids = new Set([...this.shown.keys(), ...target.keys()]);
    for (const id of [...ids].sort((a, b) => a - b)) {
      const key = target.get(id);
      if (key === this.shown.get(id)) continue;
      items.push(this.item(this.vars[id], key === undefined ? undefined : placeOf(key)));
    }
    this.shown = new Map(target);
    return items;
  }

  private item(v: MVar, place: VarPlace | undefined): Item {
    return { kind: 'debugvar', v: { func: this.mf.name, id: v.id, name: v.name, param: v.param, type: v.type, place } };
  }
}

function sameState(a: State | undefined, b: State): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
