// The link map (out/kernel.map): the segments, every output section with the input sections in
// it, and every symbol with address, size and the object it came from. Plain columns, so that
// people can read it and tests can parse it.

import { SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS } from './object.js';
import { PF_R, PF_W, PF_X } from './elf.js';
import type { LinkResult } from './link.js';

/** An address or value as 64-bit hex: a negative (absolute) symbol value prints as its two's complement, as readelf does. */
const hex = (n: bigint | number, width = 16) => '0x' + BigInt.asUintN(64, BigInt(n)).toString(16).padStart(width, '0');

function perms(flags: number, r: number, w: number, x: number): string {
  return (flags & r || r === 0 ? 'R' : '-') + (flags & w ? 'W' : '-') + (flags & x ? 'X' : '-');
}

export function formatMap(result: LinkResult): string {
  const lines: string[] = [];
  lines.push(`Layout ${result.layout.file}, entry ${result.layout.entry} = ${hex(result.entry)}`, '');

  lines.push('Segments', `  ${'VirtAddr'.padEnd(18)} ${'PhysAddr'.padEnd(18)} ${'FileSize'.padEnd(10)} ${'MemSize'.padEnd(10)} Flags  Sections`);
  for (const s of result.segments) {
    const names = s.sections.map((i) => result.sections[i].name).join(' ');
    lines.push(`  ${hex(s.vaddr)} ${hex(s.paddr)} ${hex(s.filesz, 8)} ${hex(s.memsz, 8)} ${perms(s.flags, PF_R, PF_W, PF_X)}    ${names}`);
  }
  lines.push('');

  lines.push('Sections', `  ${'Name'.padEnd(16)} ${'VirtAddr'.padEnd(18)} ${'PhysAddr'.padEnd(18)} ${'Size'.padEnd(10)} Align  Flags`);
  for (const s of result.sections) {
    const kind = s.type === SHT_NOBITS ? ' nobits' : '';
    lines.push(`  ${s.name.padEnd(16)} ${hex(s.vma)} ${hex(s.lma)} ${hex(s.size, 8)} ${String(s.align).padEnd(6)} ${perms(s.flags, 0, SHF_WRITE, SHF_EXECINSTR)}${kind}`);
    for (const p of s.pieces) {
      const o = result.objects[p.object];
      const input = o.sections[p.section];
      lines.push(`    ${hex(s.vma + BigInt(p.offset))} ${hex(input.size, 8)} ${o.name}(${input.name})`);
    }
  }
  lines.push('');

  lines.push('Symbols', `  ${'Address'.padEnd(18)} ${'Size'.padEnd(10)} Bind   Type    ${'Section'.padEnd(12)} ${'Name'.padEnd(24)} Object`);
  const syms = [...result.symbols].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.name.localeCompare(b.name)));
  for (const s of syms) {
    const sec = s.section === 'abs' ? '*ABS*' : result.sections[s.section].name;
    lines.push(`  ${hex(s.value)} ${hex(s.size, 8)} ${s.binding.padEnd(6)} ${s.type.padEnd(7)} ${sec.padEnd(12)} ${s.name.padEnd(24)} ${s.object}`);
  }
  return lines.join('\n') + '\n';
}
