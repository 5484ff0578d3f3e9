// Tiny helpers to write IR by hand for the back-end tests, and to run compiled modules natively
// (GNU as and gcc are test oracles here: they assemble our listing and link it with a C driver).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { BinOp, Block, Cls, CmpOp, Func, Inst, Module, Value, Width } from '../../compiler/ir/ir.js';
import { compileModule } from '../../compiler/driver/backend.js';
import { formatListing } from '../../compiler/asm/listing.js';
import { requireTool } from '../tools.js';

export const c = (v: bigint | number, cls: Cls = 'l'): Value => ({ kind: 'const', value: BigInt.asUintN(cls === 'w' ? 32 : 64, BigInt(v)), cls });
export const sym = (name: string, addend = 0n): Value => ({ kind: 'sym', name, addend });

/** Builds one function: blocks are created with block(), filled at the current block. */
export class FB {
  f: Func;
  cur: Block;
  constructor(name: string, params: Cls[], ret?: Cls, more: Partial<Func> = {}) {
    this.f = {
      name,
      exported: true,
      params: params.map((cls, i) => ({ vreg: i, cls, name: `p${i}` })),
      ret,
      blocks: [],
      nextVreg: params.length,
      inline: 'never',
      ...more,
    };
    this.cur = this.f.blocks[this.block()];
  }
  p(i: number): Value {
    const p = this.f.params[i];
    return { kind: 'vreg', id: p.vreg, cls: p.cls };
  }
  block(): number {
    const id = this.f.blocks.length;
    this.f.blocks.push({ id, insts: [], term: { op: 'unreachable' } });
    return id;
  }
  at(b: number): this {
    this.cur = this.f.blocks[b];
    return this;
  }
  newVreg(cls: Cls): Value {
    return { kind: 'vreg', id: this.f.nextVreg++, cls };
  }
  push(i: Inst): void {
    this.cur.insts.push(i);
  }
  bin(bin: BinOp, cls: Cls, a: Value, b: Value): Value {
    const d = this.newVreg(cls);
    this.push({ op: 'bin', bin, cls, dst: (d as { id: number }).id, a, b });
    return d;
  }
  un(un: 'neg' | 'not', cls: Cls, a: Value): Value {
    const d = this.newVreg(cls);
    this.push({ op: 'un', un, cls, dst: (d as { id: number }).id, a });
    return d;
  }
  cmp(cmp: CmpOp, cls: Cls, a: Value, b: Value): Value {
    const d = this.newVreg('w');
    this.push({ op: 'cmp', cmp, cls, dst: (d as { id: number }).id, a, b });
    return d;
  }
  ext(cls: Cls, a: Value, from: Width, signed: boolean): Value {
    const d = this.newVreg(cls);
    this.push({ op: 'ext', cls, dst: (d as { id: number }).id, a, from, signed });
    return d;
  }
  copy(cls: Cls, a: Value): Value {
    const d = this.newVreg(cls);
    this.push({ op: 'copy', cls, dst: (d as { id: number }).id, a });
    return d;
  }
  /** Assigns to an existing vreg (non-SSA input, as a front end may produce). */
  assign(dst: Value, a: Value): void {
    const d = dst as { id: number; cls: Cls };
    this.push({ op: 'copy', cls: d.cls, dst: d.id, a });
  }
  select(cls: Cls, cond: Value, a: Value, b: Value): Value {
    const d = this.newVreg(cls);
    this.push({ op: 'select', cls, dst: (d as { id: number }).id, cond, a, b });
    return d;
  }
  load(cls: Cls, addr: Value, width: Width, signed = false, volatile = false): Value {
    const d = this.newVreg(cls);
    this.push({ op: 'load', cls, dst: (d as { id: number }).id, addr, width, signed, volatile });
    return d;
  }
  store(addr: Value, value: Value, width: Width, volatile = false): void {
    this.push({ op: 'store', addr, value, width, volatile });
  }
  alloca(size: number, align = 8): Value {
    const d = this.newVreg('l');
    this.push({ op: 'alloca', dst: (d as { id: number }).id, size, align });
    return d;
  }
  /** A local variable the way a front end emits it: a stack slot with loads and stores. */
  local(cls: Cls, init?: Value): { get: () => Value; set: (v: Value) => void } {
    const w: Width = cls === 'w' ? 4 : 8;
    const slot = this.alloca(w, w);
    if (init) this.store(slot, init, w);
    return { get: () => this.load(cls, slot, w), set: (v: Value) => this.store(slot, v, w) };
  }
  call(callee: Value | string, args: Value[], cls?: Cls): Value | undefined {
    const d = cls ? this.newVreg(cls) : undefined;
    const target = typeof callee === 'string' ? sym(callee) : callee;
    this.push({ op: 'call', callee: target, args, dst: d && (d as { id: number }).id, cls });
    return d;
  }
  intrin(name: string, args: Value[], cls?: Cls, width?: Width): Value | undefined {
    const d = cls ? this.newVreg(cls) : undefined;
    this.push({ op: 'intrin', name, args, dst: d && (d as { id: number }).id, cls, width });
    return d;
  }
  phi(cls: Cls, incoming: { block: number; value: Value }[]): Value {
    const d = this.newVreg(cls);
    this.cur.insts.unshift({ op: 'phi', cls, dst: (d as { id: number }).id, incoming });
    return d;
  }
  jmp(target: number): void {
    this.cur.term = { op: 'jmp', target };
  }
  br(cond: Value, then: number, els: number): void {
    this.cur.term = { op: 'br', cond, then, else: els };
  }
  ret(value?: Value): void {
    this.cur.term = { op: 'ret', value };
  }
}

export function module(funcs: (FB | Func)[], more: Partial<Module> = {}): Module {
  return { funcs: funcs.map((f) => (f instanceof FB ? f.f : f)), globals: [], externs: [], ...more };
}

export function listing(m: Module, optimize = true): string {
  return formatListing(compileModule(m, { optimize }));
}

/** Compiles m, links it with a C driver (and extra .S fixtures), runs it and returns stdout. */
export async function run(m: Module, driverC: string, extraS: string[] = [], optimize = true): Promise<{ stdout: string; asm: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'backend-'));
  const asm = listing(m, optimize);
  writeFileSync(join(dir, 'gen.s'), asm);
  writeFileSync(join(dir, 'driver.c'), driverC);
  const exe = join(dir, 'prog');
  requireTool('gcc');
  await execa('gcc', ['-O0', '-no-pie', '-w', '-o', exe, join(dir, 'driver.c'), join(dir, 'gen.s'), ...extraS]);
  const r = await execa(exe, [], { reject: false });
  if (r.exitCode !== 0) throw new Error(`program exited with ${r.exitCode} (signal ${r.signal})\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, asm };
}

export const C_PRELUDE = `#include <stdio.h>\n#include <stdint.h>\n#include <string.h>\n#include <stdlib.h>\n`;
