// load/store at every width up to 32 bits over a static buffer, little-endian, with offsets.
import { print } from "../lib/print";

let buf!: InlineArray<u8, 64>;

export function main(): void {
  const p = addr_of(buf);
  store<u32>(p, 0x11223344);
  print(`${hex(load<u8>(p))} ${hex(load<u8>(p, 1))} ${hex(load<u16>(p))} ${hex(load<u16>(p, 2))} ${hex(load<u32>(p))}`);
  store<u8>(p, 0xAA, 1);
  store<u16>(p + 2, 0xBEEF);
  print(`${hex(load<u32>(p))} ${buf[1]} ${buf[3]}`);
  store<i16>(p, -2, 8);
  store<i32>(p, -100000, 12);
  print(`${load<i16>(p, 8)} ${load<u16>(p, 8)} ${load<i32>(p + 12)} ${load<u32>(p + 12)}`);
  store<i8>(p + 20, -1);
  print(`${load<i8>(p, 20)} ${load<u8>(p, 20)} ${buf[20]}`);
}

/* expect:
0x44 0x33 0x3344 0x1122 0x11223344
0xbeefaa44 170 190
-2 65534 -100000 4294867296
-1 255 255
*/
