// The system clock: a tick counter driven by whichever timer the architecture provides
// (arch/x86_64/timer.ts calls clock_tick CLOCK_HZ times a second), a monotonic nanosecond clock
// (clock_now_ns, from the hardware's counter: the HAL's TimerDevice), and one alarm: the scheduler sets
// the earliest sleeper's deadline with clock_set_alarm, and the timer calls clock_alarm when it
// has passed. The scheduler counts time through this module and never imports a timer driver;
// the driver never imports the scheduler.

import { timer_device } from "../arch/hal";

export const CLOCK_HZ: u64 = 100;
export const NS_PER_MS: u64 = 1000000;

export type TickHandler = (now: u64) => void;

let ticks: u64 = 0;
let on_tick: TickHandler = ignore;
let on_alarm: TickHandler = ignore;

function ignore(now: u64): void {}

/** Called once per timer interrupt that brings one or more ticks (interrupts off), with the new tick count. */
export function clock_set_tick_handler(handler: TickHandler): void {
  on_tick = handler;
}

/** Called (timer interrupt, interrupts off) with the clock time once an alarm's deadline passed. */
export function clock_set_alarm_handler(handler: TickHandler): void {
  on_alarm = handler;
}

/**
 * The timer driver's interrupt: `passed` ticks have passed (more than one when the interrupt came
 * late, after interrupts were off for a while). The clock advances by all of them; the tick
 * handler runs once, as for every other CPU's timer interrupt (clock_local_tick): a late
 * interrupt's ticks are not all charged to the thread that happens to run when it arrives
 * (one that has just started would lose its whole time slice).
 */
export function clock_tick(passed: u64): void {
  ticks += passed;
  on_tick(ticks);
}

/** Another CPU's timer interrupt: a tick of its own (time slices); the clock is the boot CPU's. */
export function clock_local_tick(): void {
  on_tick(ticks);
}

/** The timer driver's interrupt: the alarm's deadline has passed (now_ns: clock time). */
export function clock_alarm(now_ns: u64): void {
  on_alarm(now_ns);
}

/** Ticks since the timer started; only ever grows. */
export function clock_ticks(): u64 {
  return ticks;
}

/** Nanoseconds since the timer started; only ever grows. */
export function clock_now_ns(): u64 {
  return timer_device().now_ns();
}

/** Asks for clock_alarm at deadline_ns (replacing any earlier request); interrupts off. */
export function clock_set_alarm(deadline_ns: u64): void {
  timer_device().set_alarm(deadline_ns);
}

/** Milliseconds to ticks, rounded up (a sleep never ends early). */
export function ms_to_ticks(ms: u64): u64 {
  return (ms * CLOCK_HZ + 999) / 1000;
}
