// node: skip -- changetype views raw memory as a struct, which node's objects cannot do
// changetype<T>(addr) views memory as a struct (no initialisers run); fields land at their offsets;
// Inline<T> fields and InlineArray fields are references into the outer struct.
import { print } from "../lib/print";

class Hdr { magic: u32 = 0; size: u16 = 0; flags: u8 = 0; }
class Packet {
  kind: u8 = 0;
  hdr!: Inline<Hdr>;
  data!: InlineArray<u16, 4>;
  next: Packet | null = null;
}

let raw!: InlineArray<u8, 64>;

export function main(): void {
  const p = changetype<Packet>(addr_of(raw));
  p.kind = 7;
  p.hdr.magic = 0xCAFEF00D;
  p.hdr.size = 513;
  p.hdr.flags = 0x80;
  for (let i = 0; i < 4; i++) p.data[i] = u16(1000 * i + 1);
  p.next = p;
  print(`${raw[0]} ${hex(load<u32>(addr_of(raw), offsetof<Packet>("hdr")))} ${load<u16>(addr_of(raw), offsetof<Packet>("hdr") + 4)}`);
  print(`${load<u16>(addr_of(raw), offsetof<Packet>("data") + 6)} ${u32(changetype<usize>(p.next) == addr_of(raw))}`);
  const h = p.hdr;
  h.flags = 1;
  print(`${p.hdr.flags} ${u32(changetype<usize>(h) == addr_of(raw) + offsetof<Packet>("hdr"))} ${sizeof<Packet>()}`);
}

/* expect:
7 0xcafef00d 513
3001 1
1 1 32
*/
