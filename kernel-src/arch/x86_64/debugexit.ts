// QEMU's isa-debug-exit device (port 0xf4): writing V ends QEMU with exit status (V << 1) | 1.
// The test boot uses it to report its verdict; on real hardware (or without the device) the write
// does nothing and the caller goes on to halt.

import type { ExitDevice } from "../../lib/device";

const DEBUG_EXIT_PORT: u16 = 0xf4;
/** Exit status 33: every self-test passed. */
export const EXIT_PASS: u8 = 0x10;
/** Exit status 35: a self-test failed, or the kernel panicked during the test boot. */
export const EXIT_FAIL: u8 = 0x11;

class IsaDebugExit implements ExitDevice {
  exit(value: u8): void {
    outb(DEBUG_EXIT_PORT, value);
  }
}

let debug_exit!: Inline<IsaDebugExit>;

/** The device the test boot reports its verdict to. */
export function exit_device(): ExitDevice {
  return debug_exit;
}
