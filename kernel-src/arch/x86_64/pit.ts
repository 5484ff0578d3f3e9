// The 8254 programmable interval timer. It is no longer the clock's tick source (the local APIC
// timer is, see timer.ts); it is the known frequency the APIC timer and the TSC are calibrated
// against: channel 2 counts down, read back by latching, no interrupt needed.
// Channel 0 can still run periodically on ISA IRQ0 (the I/O APIC routing self-test uses it).

export const PIT_FREQUENCY: u64 = 1193182;
const PIT_CHANNEL0: u16 = 0x40;
const PIT_CHANNEL2: u16 = 0x42;
const PIT_COMMAND: u16 = 0x43;
const PIT_GATE_PORT: u16 = 0x61; // bit 0: channel 2 gate, bit 1: speaker
const PIT_MODE_SQUARE_WAVE: u8 = 0x36; // channel 0, lobyte/hibyte, mode 3, binary
const PIT_MODE_CH2_ONESHOT: u8 = 0xb0; // channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count)
const PIT_LATCH_CH2: u8 = 0x80; // counter latch command for channel 2
const PIT_MODE_CH0_ONESHOT: u8 = 0x30; // channel 0, mode 0: stops the periodic square wave

/** Channel 0 as a square wave of `hz` on ISA IRQ0. */
export function pit_periodic(hz: u64): void {
  let divisor = (PIT_FREQUENCY + hz / 2) / hz;
  outb(PIT_COMMAND, PIT_MODE_SQUARE_WAVE);
  outb(PIT_CHANNEL0, u8(divisor & 0xff));
  outb(PIT_CHANNEL0, u8(divisor >> 8));
}

/** Channel 0 back to one terminal count (one last IRQ0 edge at most, then quiet). */
export function pit_stop(): void {
  outb(PIT_COMMAND, PIT_MODE_CH0_ONESHOT);
  outb(PIT_CHANNEL0, 1);
  outb(PIT_CHANNEL0, 0);
}

/** Starts channel 2 counting down from `count` (< 65536) PIT periods; pit_oneshot_count reads it. */
export function pit_oneshot_start(count: u64): void {
  outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & 0xfc) | 0x01); // gate on, speaker off
  outb(PIT_COMMAND, PIT_MODE_CH2_ONESHOT);
  outb(PIT_CHANNEL2, u8(count & 0xff));
  outb(PIT_CHANNEL2, u8(count >> 8));
}

/** Channel 2's current count (latched, so both bytes belong to one moment). */
export function pit_oneshot_count(): u64 {
  outb(PIT_COMMAND, PIT_LATCH_CH2);
  let lo = u64(inb(PIT_CHANNEL2));
  return lo | (u64(inb(PIT_CHANNEL2)) << 8);
}
