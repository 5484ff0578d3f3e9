// The system clock: a tick counter driven by whichever timer the architecture provides
// (arch/x86_64/pit.ts calls clock_tick CLOCK_HZ times a second), and one tick handler (the
// scheduler's) registered at boot. The scheduler counts time in ticks through this module and
// never imports a timer driver; the driver never imports the scheduler.

export const CLOCK_HZ: u64 = 100;

export type TickHandler = (now: u64) => void;

let ticks: u64 = 0;
let on_tick: TickHandler = ignore_tick;

function ignore_tick(now: u64): void {}

/** Called on every tick (in the timer interrupt, interrupts off) with the new tick count. */
export function clock_set_tick_handler(handler: TickHandler): void {
  on_tick = handler;
}

/** The timer driver's interrupt: one tick has passed. */
export function clock_tick(): void {
  ticks++;
  on_tick(ticks);
}

/** Ticks since the timer started; only ever grows. */
export function clock_ticks(): u64 {
  return ticks;
}

/** Milliseconds to ticks, rounded up (a sleep never ends early). */
export function ms_to_ticks(ms: u64): u64 {
  return (ms * CLOCK_HZ + 999) / 1000;
}
