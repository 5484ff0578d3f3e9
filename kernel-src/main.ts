// Scarlett OS entry point, called from runtime/boot.S in 64-bit mode.
const COM1: u16 = 0x3f8;

class Foo { a: u32 = 0; b: u64 = 0; next: Foo | null = null; name: InlineArray<u8, 32> = changetype<InlineArray<u8,32>>(0); }

function serial_init(): void {
  outb(COM1 + 1, 0x00);
}

function serial_putc(c: u8): void {
  while ((inb(COM1 + 5) & 0x20) == 0) pause();
  outb(COM1, c);
}

function puts(s: string): void {
  for (let i = 0; i < s.length; i++) serial_putc(s.charCodeAt(i));
}
function log(f: fmt): void { let n = fmt_count(f); }

export function kernel_main(magic: u32, info: usize): void {
  serial_init();
  puts("Scarlett OS\n");
  let x: u64 = 0xFFFF800000000000;
  let f = changetype<Foo>(x);
  f.name[3] = 4;
  log(`tid=${x} ${hex(x)}`);
  while (true) hlt();
}
