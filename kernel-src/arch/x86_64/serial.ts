// COM1 (16550 UART) driver: the kernel console.
//
// Polled, no interrupts: output waits for the transmitter-holding register to empty, input is
// read only when the line-status register says a byte is ready. 115200 baud, 8N1, FIFOs on.

import type { CharDevice } from "../../lib/device";

const COM1: u16 = 0x3f8;
const REG_DATA: u16 = 0;
const REG_IER: u16 = 1;
const REG_FCR: u16 = 2;
const REG_LCR: u16 = 3;
const REG_MCR: u16 = 4;
const REG_LSR: u16 = 5;
const LSR_DATA_READY: u8 = 0x01;
const LSR_THR_EMPTY: u8 = 0x20;

export function serial_init(): void {
  outb(COM1 + REG_IER, 0x00); // no UART interrupts: we poll
  outb(COM1 + REG_LCR, 0x80); // DLAB on: the next two writes set the divisor
  outb(COM1 + REG_DATA, 0x01); // divisor 1 = 115200 baud
  outb(COM1 + REG_IER, 0x00);
  outb(COM1 + REG_LCR, 0x03); // 8 data bits, no parity, 1 stop bit, DLAB off
  outb(COM1 + REG_FCR, 0xc7); // FIFOs on and cleared, 14-byte threshold
  outb(COM1 + REG_MCR, 0x03); // DTR, RTS
}

/** COM1 as the kernel's CharDevice (lib/device.ts). */
class Com1 implements CharDevice {
  putc(c: u8): void {
    while ((inb(COM1 + REG_LSR) & LSR_THR_EMPTY) == 0) pause();
    outb(COM1 + REG_DATA, c);
  }

  getc(): i32 {
    if ((inb(COM1 + REG_LSR) & LSR_DATA_READY) == 0) return -1;
    return i32(inb(COM1 + REG_DATA));
  }
}

let com1!: Inline<Com1>;

/** The console. */
export function console_device(): CharDevice {
  return com1;
}
