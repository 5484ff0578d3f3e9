// A small ELF64 relocatable reader for tests: sections, symbols and relocations, so that objects
// from GNU as and from our assembler can be compared field by field.

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  align: number;
  size: number;
  data: Uint8Array;
}

export interface ElfSymbol {
  name: string; // section symbols get their section's name
  bind: number;
  type: number;
  shndx: number;
  section: string; // '' for undefined, '*ABS*' for absolute
  value: bigint;
  size: bigint;
}

export interface ElfReloc {
  offset: number;
  type: number;
  sym: string;
  addend: bigint;
}

export interface ElfObject {
  sections: ElfSection[];
  symbols: ElfSymbol[];
  relocs: Map<string, ElfReloc[]>; // by target section name
}

export function readElf(bytes: Uint8Array): ElfObject {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const u64 = (o: number) => dv.getBigUint64(o, true);
  const shoff = Number(u64(0x28));
  const shnum = u16(0x3c);
  const shstrndx = u16(0x3e);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * 64;
    raw.push({
      name: u32(h), type: u32(h + 4), flags: Number(u64(h + 8)), offset: Number(u64(h + 24)), size: Number(u64(h + 32)),
      link: u32(h + 40), info: u32(h + 44), align: Number(u64(h + 48)),
    });
  }
  const str = (sec: number, off: number) => {
    let end = raw[sec].offset + off;
    while (bytes[end]) end++;
    return new TextDecoder().decode(bytes.subarray(raw[sec].offset + off, end));
  };
  const sections: ElfSection[] = raw.map((r) => ({
    name: str(shstrndx, r.name), type: r.type, flags: r.flags, align: r.align, size: r.size,
    data: r.type === 8 ? new Uint8Array(0) : Uint8Array.from(bytes.subarray(r.offset, r.offset + r.size)),
  }));
  const symtab = raw.findIndex((r) => r.type === 2);
  const symbols: ElfSymbol[] = [];
  if (symtab >= 0) {
    const r = raw[symtab];
    for (let o = r.offset; o < r.offset + r.size; o += 24) {
      const info = bytes[o + 4];
      const shndx = u16(o + 6);
      const type = info & 15;
      const section = shndx === 0 ? '' : shndx === 0xfff1 ? '*ABS*' : sections[shndx]?.name ?? '?';
      symbols.push({ name: type === 3 ? section : str(r.link, u32(o)), bind: info >> 4, type, shndx, section, value: u64(o + 8), size: u64(o + 16) });
    }
  }
  const relocs = new Map<string, ElfReloc[]>();
  raw.forEach((r, i) => {
    if (r.type !== 4) return;
    const list: ElfReloc[] = [];
    for (let o = r.offset; o < r.offset + r.size; o += 24) {
      const info = u64(o + 8);
      list.push({ offset: Number(u64(o)), type: Number(info & 0xffffffffn), sym: symbols[Number(info >> 32n)].name, addend: dv.getBigInt64(o + 16, true) });
    }
    list.sort((a, b) => a.offset - b.offset);
    relocs.set(sections[r.info].name, list);
    void i;
  });
  return { sections, symbols, relocs };
}
