// The IR as text, QBE-like (for --emit-ir and test failure messages). Constants print signed.

import type { Func, Inst, Module, Terminator, Value } from './ir.js';
import { toSigned } from './fold.js';

export function printModule(m: Module): string {
  const out: string[] = [];
  for (const g of m.globals) {
    const bytes = g.bytes ? ` [${[...g.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]` : '';
    const relocs = g.relocs.map((r) => ` @${r.offset}=${r.sym}${r.addend ? '+' + r.addend : ''}`).join('');
    out.push(`${g.exported ? 'export ' : ''}${g.section} $${g.name} align ${g.align} size ${g.size}${bytes}${relocs}`);
  }
  if (m.externs.length) out.push(`extern ${m.externs.map((e) => '$' + e).join(', ')}`);
  for (const f of m.funcs) out.push('', printFunc(f));
  return out.join('\n') + '\n';
}

const val = (v: Value): string =>
  v.kind === 'vreg' ? `%${v.id}` : v.kind === 'const' ? `${toSigned(v.cls, v.value)}` : `$${v.name}${v.addend ? (v.addend > 0n ? '+' : '') + v.addend : ''}`;

export function printFunc(f: Func): string {
  const params = f.params.map((p) => `${p.cls} %${p.vreg}`).join(', ');
  const lines = [`${f.exported ? 'export ' : ''}function${f.ret ? ' ' + f.ret : ''} $${f.name}(${params})${f.inline === 'always' ? ' inline' : ''} {`];
  for (const b of f.blocks) {
    lines.push(`@${b.id}`);
    for (const i of b.insts) lines.push('  ' + printInst(i));
    lines.push('  ' + printTerm(b.term));
  }
  lines.push('}');
  return lines.join('\n');
}

function printInst(i: Inst): string {
  switch (i.op) {
    case 'bin': return `%${i.dst} =${i.cls} ${i.bin} ${val(i.a)}, ${val(i.b)}`;
    case 'un': return `%${i.dst} =${i.cls} ${i.un} ${val(i.a)}`;
    case 'cmp': return `%${i.dst} =w ${i.cmp}${i.cls} ${val(i.a)}, ${val(i.b)}`;
    case 'ext': return `%${i.dst} =${i.cls} ext${i.signed ? 's' : 'u'}${i.from} ${val(i.a)}`;
    case 'copy': return `%${i.dst} =${i.cls} copy ${val(i.a)}`;
    case 'select': return `%${i.dst} =${i.cls} select ${val(i.cond)}, ${val(i.a)}, ${val(i.b)}`;
    case 'load': return `%${i.dst} =${i.cls} load${i.signed ? 's' : 'u'}${i.width}${i.volatile ? ' volatile' : ''} ${val(i.addr)}`;
    case 'store': return `store${i.width}${i.volatile ? ' volatile' : ''} ${val(i.value)}, ${val(i.addr)}`;
    case 'alloca': return `%${i.dst} =l alloca ${i.size}, align ${i.align}`;
    case 'call': return `${i.dst !== undefined ? `%${i.dst} =${i.cls} ` : ''}call ${val(i.callee)}(${i.args.map(val).join(', ')})`;
    case 'intrin': return `${i.dst !== undefined ? `%${i.dst} =${i.cls} ` : ''}intrin ${i.name}${i.width ? '.' + i.width : ''}(${i.args.map(val).join(', ')})`;
    case 'phi': return `%${i.dst} =${i.cls} phi ${i.incoming.map((x) => `@${x.block} ${val(x.value)}`).join(', ')}`;
  }
}

function printTerm(t: Terminator): string {
  switch (t.op) {
    case 'jmp': return `jmp @${t.target}`;
    case 'br': return `br ${val(t.cond)}, @${t.then}, @${t.else}`;
    case 'ret': return t.value ? `ret ${val(t.value)}` : 'ret';
    case 'unreachable': return 'unreachable';
  }
}
