// A kernel-like program: initialise COM1 and print a banner through port I/O.
import { log } from "./log";

const COM1: u16 = 0x3f8;
const VERSION: u32 = 2;
declare let __kernel_end: u8; // a linker symbol
declare function boot_halt(code: u32): never; // defined in assembly

export function kernel_size(): usize {
  return addr_of(__kernel_end) - 0x100000;
}

export function give_up(): void {
  boot_halt(1);
}

function serial_init(): void {
  outb(COM1 + 1, 0x00); // interrupts off
  outb(COM1 + 3, 0x80); // DLAB
  outb(COM1 + 0, 0x03); // 38400 baud
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03); // 8N1
}

export function serial_putc(c: u8): void {
  while ((inb(COM1 + 5) & 0x20) == 0) pause();
  outb(COM1, c);
}

function puts(s: string): void {
  for (let i = 0; i < s.length; i++) serial_putc(s.charCodeAt(i));
}

export function kernel_main(magic: u32, info: usize): void {
  serial_init();
  puts("Scarlett OS\n");
  log(`version ${VERSION} magic=${hex(magic)} info=${info} neg=${-5}\n`);
  while (true) hlt();
}
