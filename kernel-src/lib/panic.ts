// panic: the kernel cannot go on. Prints a [PANIC] line and a backtrace, then stops the CPU.
// During the test boot it first ends QEMU with the failure code so the test run does not hang.

import { put_str, put_fmt, put_char } from "./log";
import { backtrace, exit_device, EXIT_FAIL, halt_forever, irq_save_local } from "../arch/hal";

let exit_on_panic: bool = false;

/** Test boot: make panics (and kernel faults) end QEMU with the failure code. */
export function panic_set_exit_qemu(on: bool): void {
  exit_on_panic = on;
}

export function panic(f: fmt): void {
  irq_save_local(); // not the kernel lock: a panic must never wait for another CPU
  put_str("[PANIC] ");
  put_fmt(f);
  put_char(10);
  backtrace(frame_address());
  panic_stop();
}

/** Halts after a fatal report (used by the fault handler too). */
export function panic_stop(): void {
  if (exit_on_panic) exit_device().exit(EXIT_FAIL);
  halt_forever();
}

/**
 * The compiler's bounds checks call this when an InlineArray or table index is out of range
 * (docs/language.md#bounds-checks): a kernel bug, reported with its source line.
 */
export function __bounds_fail(file: string, line: u32, index: u64, length: u64): never {
  panic(`${file}:${line}: index ${index} out of range for length ${length}`);
  unreachable();
}
