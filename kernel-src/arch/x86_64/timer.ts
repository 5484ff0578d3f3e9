// The clock's hardware: the TSC is the monotonic clock (nanoseconds since timer_start), the
// local APIC timer, in one-shot mode, interrupts at whichever comes first of the next periodic
// tick (CLOCK_HZ, for time slices and clock_ticks) and the alarm the scheduler asked for (the
// earliest sleeper's deadline), so a sleep ends within the interrupt latency of its deadline
// instead of at the next 10 ms tick. Both counters are calibrated once against PIT channel 2.
// All state belongs to the boot CPU, which keeps the clock (ticks, alarm); callers have
// interrupts off. Every other CPU's APIC timer only ticks, for its own time slices
// (clock_local_tick); an alarm asked for on another CPU reaches the boot CPU as a timer IPI.

import {
  lapic_timer_oneshot, lapic_timer_free_run, lapic_timer_current, lapic_timer_stop,
} from "./lapic";
import { pit_oneshot_start, pit_oneshot_count, PIT_FREQUENCY } from "./pit";
import { CLOCK_HZ, clock_tick, clock_alarm, clock_local_tick } from "../../time/clock";
import { lapic_id, lapic_send_ipi, VEC_TIMER } from "./lapic";
import type { TimerDevice } from "../../lib/device";

const NS_PER_S: u64 = 1000000000;
const TICK_NS: u64 = NS_PER_S / CLOCK_HZ;
const CALIBRATE_PIT_COUNT: u64 = 23864; // 20 ms of PIT periods
const SAMPLE_TRIES: u64 = 8;
const SCALE_SHIFT: u64 = 24;
const SCALE_MASK: u64 = 0xffffff;
const NO_ALARM: u64 = 0xffffffffffffffff;
const CPUID_POWER: u32 = 0x80000007;
const CPUID_INVARIANT_TSC: u32 = 0x100;

let tsc_hz: u64 = 0;
let lapic_hz: u64 = 0;
let tsc_base: u64 = 0;
let ns_per_tsc: u64 = 0; // nanoseconds per TSC cycle, << SCALE_SHIFT
let next_tick_ns: u64 = 0;
let alarm_ns: u64 = NO_ALARM;
let invariant: bool = false;
let boot_apic: u32 = 0;
let cpuid_out!: InlineArray<u32, 4>;

/**
 * Measures the TSC and APIC timer rates against PIT channel 2 over about CALIBRATE_PIT_COUNT PIT
 * periods. Each end of the window is a (TSC, PIT count, APIC count) sample read back to back; of
 * SAMPLE_TRIES tries the one read in the fewest TSC cycles is kept, so a preempted vCPU (QEMU on
 * a busy host) or a cold cache at either end does not stretch the window.
 */
export function timer_calibrate(): void {
  lapic_timer_free_run();
  pit_oneshot_start(0xffff);
  sample();
  let t0 = s_tsc;
  let p0 = s_pit;
  let c0 = s_lapic;
  while (p0 - pit_oneshot_count() < CALIBRATE_PIT_COUNT) pause();
  sample();
  lapic_timer_stop();
  let pit = p0 - s_pit;
  tsc_hz = (s_tsc - t0) * PIT_FREQUENCY / pit;
  lapic_hz = u64(c0 - s_lapic) * PIT_FREQUENCY / pit;
  ns_per_tsc = (NS_PER_S << SCALE_SHIFT) / tsc_hz;
  cpuid(CPUID_POWER, 0, addr_of(cpuid_out));
  invariant = (cpuid_out[3] & CPUID_INVARIANT_TSC) != 0;
}

let s_tsc: u64 = 0;
let s_pit: u64 = 0;
let s_lapic: u32 = 0;

function sample(): void {
  let best: u64 = 0xffffffffffffffff;
  for (let i: u64 = 0; i < SAMPLE_TRIES; i++) {
    let a = rdtsc();
    let p = pit_oneshot_count();
    let c = lapic_timer_current();
    let b = rdtsc();
    if (b - a < best) {
      best = b - a;
      s_tsc = a + (b - a) / 2;
      s_pit = p;
      s_lapic = c;
    }
  }
}

/** Nanoseconds since timer_begin (monotonic; split multiply so it never overflows). */
export function timer_now_ns(): u64 {
  let d = rdtsc() - tsc_base;
  return (d >> SCALE_SHIFT) * ns_per_tsc + (((d & SCALE_MASK) * ns_per_tsc) >> SCALE_SHIFT);
}

/** Programs the one-shot for the earlier of the next tick and the alarm (never early: rounded up). */
function arm(): void {
  let target = alarm_ns < next_tick_ns ? alarm_ns : next_tick_ns;
  let now = timer_now_ns();
  let delta = target > now ? target - now : 0;
  if (delta > TICK_NS) delta = TICK_NS;
  let count = (delta * lapic_hz + NS_PER_S - 1) / NS_PER_S;
  lapic_timer_oneshot(u32(count > 0 ? count : 1));
}

/** Starts the clock at 0 and the first tick TICK_NS later. */
export function timer_begin(): void {
  boot_apic = lapic_id();
  tsc_base = rdtsc();
  next_tick_ns = TICK_NS;
  alarm_ns = NO_ALARM;
  arm();
}

/** An interrupt at `deadline_ns` (clock time) calls clock_alarm; replaces the previous alarm. */
export function timer_set_alarm(deadline_ns: u64): void {
  alarm_ns = deadline_ns;
  if (lapic_id() == boot_apic) arm();
  else lapic_send_ipi(boot_apic, VEC_TIMER); // the boot CPU's timer_irq re-arms for it
}

/** An application processor's tick: its APIC timer, one-shot every tick (a tick's worth of counts). */
export function timer_start_ap(): void {
  lapic_timer_oneshot(u32(lapic_hz / CLOCK_HZ));
}

/** The APIC timer interrupt: a periodic tick and/or the alarm, whichever is due; then re-arm. */
export function timer_irq(): void {
  if (lapic_id() != boot_apic) {
    timer_start_ap();
    clock_local_tick();
    return;
  }
  let now = timer_now_ns();
  let passed: u64 = 0;
  while (now >= next_tick_ns) { // more than one after a late interrupt: ticks keep up with time
    next_tick_ns += TICK_NS;
    passed++;
  }
  if (passed > 0) clock_tick(passed);
  if (now >= alarm_ns) {
    alarm_ns = NO_ALARM;
    clock_alarm(now);
  }
  arm();
}

/** The TSC clock and the boot CPU's APIC timer alarm as the kernel's TimerDevice (lib/device.ts). */
class LapicTimer implements TimerDevice {
  now_ns(): u64 {
    return timer_now_ns();
  }

  set_alarm(deadline_ns: u64): void {
    timer_set_alarm(deadline_ns);
  }
}

let lapic_timer!: Inline<LapicTimer>;

/** The clock's timer (arch code that knows it is this driver calls timer_now_ns directly). */
export function timer_device(): TimerDevice {
  return lapic_timer;
}

export function timer_tsc_hz(): u64 {
  return tsc_hz;
}

export function timer_lapic_hz(): u64 {
  return lapic_hz;
}

export function timer_tsc_invariant(): bool {
  return invariant;
}
