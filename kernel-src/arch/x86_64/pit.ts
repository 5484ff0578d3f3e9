// The 8254 programmable interval timer, channel 0, as the clock's tick source: CLOCK_HZ
// interrupts per second on IRQ0, each passed to clock_tick (time/clock.ts).

import { pic_unmask } from "./pic";
import { CLOCK_HZ, clock_tick } from "../../time/clock";

const PIT_FREQUENCY: u64 = 1193182;
const PIT_CHANNEL0: u16 = 0x40;
const PIT_COMMAND: u16 = 0x43;
const PIT_MODE_SQUARE_WAVE: u8 = 0x36; // channel 0, lobyte/hibyte, mode 3, binary

export function timer_init(): void {
  let divisor = (PIT_FREQUENCY + CLOCK_HZ / 2) / CLOCK_HZ;
  outb(PIT_COMMAND, PIT_MODE_SQUARE_WAVE);
  outb(PIT_CHANNEL0, u8(divisor & 0xff));
  outb(PIT_CHANNEL0, u8(divisor >> 8));
  pic_unmask(0);
}

export function timer_irq(): void {
  clock_tick();
}
