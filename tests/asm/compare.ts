// Assembles one source with GNU as (the oracle) and with our assembler, and lists every
// difference in section bytes, sizes, relocations and (optionally) symbols.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAtt } from '../../compiler/asm/att.js';
import { assemble } from '../../compiler/asm/assemble.js';
import { writeRelocatable } from '../../linker/elfobj.js';
import { readElf, type ElfObject, type ElfReloc } from './elf.js';
import type { ObjectFile } from '../../linker/object.js';
import { requireTool } from '../tools.js';

export async function gnuAssemble(src: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'asm-'));
  try {
    const out = join(dir, 'gnu.o');
    requireTool('as');
    await execa('as', ['--64', '-o', out], { input: src });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ourAssemble(src: string, file = 'test.S'): { obj: ObjectFile; bytes: Uint8Array } {
  const obj = assemble(parseAtt(src, file), file);
  return { obj, bytes: writeRelocatable(obj) };
}

const fmtReloc = (r: ElfReloc) => `+0x${r.offset.toString(16)} type ${r.type} ${r.sym}${r.addend < 0n ? '' : '+'}${r.addend}`;
const hex = (d: Uint8Array, from: number, to: number) => Array.from(d.subarray(from, to)).map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** Differences between GNU as's object and ours; empty when they agree. */
export async function compareWithGnu(src: string, opts: { symbols?: boolean } = {}): Promise<string[]> {
  const gnu = readElf(await gnuAssemble(src));
  const { obj, bytes } = ourAssemble(src);
  const ours = readElf(bytes);
  const lines = src.split('\n');
  const diffs: string[] = [];
  for (const gs of gnu.sections.filter((s) => s.type === 1 || s.type === 8)) {
    const os = ours.sections.find((s) => s.name === gs.name);
    if (!os) {
      if (gs.size > 0) diffs.push(`section ${gs.name} missing`);
      continue;
    }
    if (gs.size !== os.size) diffs.push(`${gs.name}: size ${os.size}, GNU as ${gs.size}`);
    if (gs.flags !== os.flags) diffs.push(`${gs.name}: flags ${os.flags}, GNU as ${gs.flags}`);
    if (gs.type !== os.type) diffs.push(`${gs.name}: type ${os.type}, GNU as ${gs.type}`);
    const first = gs.data.findIndex((b, i) => b !== os.data[i]);
    if (first >= 0) {
      // Name the source line of the first difference, from our line table.
      const sec = obj.sections.find((s) => s.name === gs.name)!;
      const at = [...sec.lines].reverse().find((l) => l.offset <= first);
      const end = sec.lines.find((l) => l.offset > first)?.offset ?? first + 8;
      const from = at?.offset ?? first;
      diffs.push(`${gs.name}+0x${first.toString(16)} line ${at?.loc.line}: '${lines[(at?.loc.line ?? 0) - 1]?.trim()}': ours ${hex(os.data, from, end)}, GNU as ${hex(gs.data, from, end)}`);
    }
    const gr = (gnu.relocs.get(gs.name) ?? []).map(fmtReloc);
    const or = (ours.relocs.get(gs.name) ?? []).map(fmtReloc);
    for (let i = 0; i < Math.max(gr.length, or.length); i++) {
      if (gr[i] !== or[i]) {
        diffs.push(`${gs.name} relocation ${i}: ours ${or[i]}, GNU as ${gr[i]}`);
        break;
      }
    }
  }
  if (opts.symbols) diffs.push(...compareSymbols(gnu, ours));
  return diffs;
}

function compareSymbols(gnu: ElfObject, ours: ElfObject): string[] {
  const key = (o: ElfObject) =>
    o.symbols
      .filter((s) => s.type !== 3 && s.name !== '')
      .map((s) => `${s.name} bind=${s.bind} type=${s.type} sec=${s.section} value=${s.value} size=${s.size}`)
      .sort();
  const g = key(gnu);
  const o = key(ours);
  const diffs: string[] = [];
  for (const s of g) if (!o.includes(s)) diffs.push(`symbol missing or different: GNU as has ${s}`);
  for (const s of o) if (!g.includes(s)) diffs.push(`symbol extra or different: ours has ${s}`);
  return diffs;
}
