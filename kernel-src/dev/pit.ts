// The 8254 programmable interval timer, channel 0, as the system clock: TIMER_HZ interrupts per
// second on IRQ0. `ticks` only ever grows; sleeping and time slices are counted in ticks.

import { pic_unmask } from "./pic";
import { sched_tick } from "../sched/scheduler";

export const TIMER_HZ: u64 = 100;
const PIT_FREQUENCY: u64 = 1193182;
const PIT_CHANNEL0: u16 = 0x40;
const PIT_COMMAND: u16 = 0x43;
const PIT_MODE_SQUARE_WAVE: u8 = 0x36; // channel 0, lobyte/hibyte, mode 3, binary

let ticks: u64 = 0;

export function timer_init(): void {
  let divisor = (PIT_FREQUENCY + TIMER_HZ / 2) / TIMER_HZ;
  outb(PIT_COMMAND, PIT_MODE_SQUARE_WAVE);
  outb(PIT_CHANNEL0, u8(divisor & 0xff));
  outb(PIT_CHANNEL0, u8(divisor >> 8));
  pic_unmask(0);
}

export function timer_irq(): void {
  ticks++;
  sched_tick(ticks);
}

export function timer_ticks(): u64 {
  return ticks;
}

/** Milliseconds to ticks, rounded up (a sleep never ends early). */
export function ms_to_ticks(ms: u64): u64 {
  return (ms * TIMER_HZ + 999) / 1000;
}
