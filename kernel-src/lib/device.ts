// Device interfaces: what the generic kernel asks of a driver, so that it names no device.
// The architecture's drivers implement them with classes whose single objects are static
// (`let dev!: Inline<C>`, docs/language.md "Inheritance and interfaces": no allocation, usable
// before the heap exists); hal.ts hands them out (console_device, exit_device, timer_device). Calls through
// these types go through the vtable; a driver's own calls on its class stay direct.

/** A byte-stream device: the console. */
export interface CharDevice {
  /** Writes one byte, waiting until the device takes it. */
  putc(c: u8): void;
  /** The next received byte, or -1 when none is waiting. Never blocks. */
  getc(): i32;
}

/** A device that ends the machine's run with a status (QEMU's isa-debug-exit in the test boot). */
export interface ExitDevice {
  /** Ends the run with `value`; on a machine without the device it does nothing. */
  exit(value: u8): void;
}

/**
 * The clock's hardware: a monotonic counter and an alarm interrupt (time/clock.ts is the one
 * caller). The driver also ticks on its own, calling clock_tick CLOCK_HZ times a second.
 */
export interface TimerDevice {
  /** Nanoseconds since the timer started; only ever grows. */
  now_ns(): u64;
  /** An interrupt calls clock_alarm once the clock passes `deadline_ns`, replacing the previous alarm. Interrupts off. */
  set_alarm(deadline_ns: u64): void;
}
