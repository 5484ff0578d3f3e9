// Scarlett OS itself, booted in QEMU from out/kernel.elf (built by `make` before the tests run):
// - the demo boot prints the seed's "Expected Output" lines in order (with real values), the test
//   thread's iterations, then the ring-3 demo program's output, and keeps running (idle in hlt);
// - the test boot (`-append test`) runs the in-kernel KTAP self-tests and ends QEMU through
//   isa-debug-exit with 0x10 (status 33) only when every test passed; it boots with one CPU and
//   with four (-smp 4: the APs start, answer IPIs and TLB shootdowns).

import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { boot } from './qemu.js';
import { requireTools } from './tools.js';

requireTools('qemu-system-x86_64');

const KERNEL = process.env.SCARLETT_KERNEL ?? 'out/kernel.elf'; // override to boot another build

/** The seed's expected boot log (scarlett-os-phase2-status.md), then the demo program's lines.
 *  Thread and process ids are not pinned: they change when another program is spawned first. */
const DEMO_LINES: RegExp[] = [
  /^\[INFO\] Initializing Virtual Memory Manager\.\.\.$/,
  /^\[INFO\] VMM initialized with kernel page tables at 0x[0-9A-F]+$/,
  /^\[INFO\] Initializing kernel heap\.\.\.$/,
  /^\[INFO\] Heap initialized: start=0xFFFFFFFFC0000000, size=16384 KB$/,
  /^\[INFO\] Initializing scheduler\.\.\.$/,
  /^\[INFO\] Scheduler initialized$/,
  /^\[INFO\] Initializing IPC system\.\.\.$/,
  /^\[INFO\] IPC system initialized$/,
  /^\[INFO\] Initializing system calls\.\.\.$/,
  /^\[INFO\] System calls initialized$/,
  /^$/,
  /^\[INFO\] Kernel initialization complete!$/,
  /^\[INFO\] Testing heap\.\.\.$/,
  /^\[INFO\] Allocated 1KB at: 0xFFFFFFFFC[0-9A-F]{7}$/,
  /^\[INFO\] Freed allocation$/,
  /^\[INFO\] Testing threading\.\.\.$/,
  /^\[INFO\] Thread created: tid=(\d+), name=test_thread, priority=64$/,
  /^\[INFO\] Created test thread: tid=(\d+)$/,
  /^\[INFO\] System is now running!$/,
  /^$/,
  /^\[TEST THREAD\] Hello from test thread!$/,
  /^\[TEST THREAD\] Thread ID: (\d+)$/,
  /^\[TEST THREAD\] Thread name: test_thread$/,
  /^\[TEST THREAD\] Iteration 0$/,
  /^\[TEST THREAD\] Iteration 1$/,
  /^\[TEST THREAD\] Iteration 2$/,
  /^\[TEST THREAD\] Iteration 3$/,
  /^\[TEST THREAD\] Iteration 4$/,
  /^\[TEST THREAD\] Test thread exiting$/,
  /^\[INFO\] Thread exiting: tid=(\d+), name=test_thread$/,
  // the ring-3 demo program (kernel-src/user/demo), after the test thread is gone
  /^\[USER\] Hello from user space \(ring 3\)!$/,
  /^\[USER\] created worker thread tid=\d+$/,
  /^\[USER\] worker thread running, arg=42$/,
  /^\[USER\] received type 7 from tid \d+: "hello from the worker"$/,
  /^\[USER\] slept 50 ms \(status 0\)$/,
  /^\[USER\] kernel service replied \(status 0\): "SHOUT THIS PLEASE"$/,
  /^\[USER\] buffer call \(status 0\): sum=\d+ of 1000 bytes$/,
  /^\[USER\] mmap gave 0x[0-9A-F]+, 8 KiB written and checked: ok; munmap -> 0$/,
  /^\[USER\] read from the console: \d+ bytes waiting$/,
  /^\[USER\] demo finished, exiting with status 0$/,
  /^\[INFO\] Process exited: pid=\d+, name=demo, status=0$/,
];

/** After this line nothing more is expected: the boot is complete, or it can no longer match. */
const DEMO_DONE = /^\[INFO\] Process exited: pid=\d+, name=demo,/m;
/** A kernel panic, a kernel or user fault, a heap error: the boot has failed. */
const FAILED = /\[PANIC\]|\[ERROR\]/;
/** The demo prints steadily until it exits; this long a silence means the boot has hung. */
const STALL_MS = 30_000;

/** Stops the demo boot when it is done, has failed, or has gone quiet, instead of at the timeout. */
function demoStop(): (log: string) => boolean {
  let size = -1;
  let since = Date.now();
  return (log) => {
    if (log.length !== size) [size, since] = [log.length, Date.now()];
    return DEMO_DONE.test(log) || FAILED.test(log) || (size > 0 && Date.now() - since > STALL_MS);
  };
}

/** Index of the first line at or after `from` matching re, or -1. */
function findLine(lines: string[], re: RegExp, from: number): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i])) return i;
  return -1;
}

/** The demo boot's checks: no failure, every DEMO_LINES line in order, one test-thread id. */
function expectDemoLog(r: Awaited<ReturnType<typeof boot>>): void {
  const lines = r.serial.split('\n').map((l) => l.replace(/\r$/, ''));
  expect(r.serial, `the boot failed\n--- serial ---\n${r.serial}`).not.toMatch(FAILED);
  let at = 0;
  const tids = new Set<string>();
  for (const re of DEMO_LINES) {
    const i = findLine(lines, re, at);
    expect(i, `missing (in order) ${re}\n--- serial ---\n${r.serial}`).toBeGreaterThanOrEqual(0);
    const tid = re.exec(lines[i])![1]; // the patterns with a group capture the test thread's id
    if (tid !== undefined) tids.add(tid);
    at = i + 1;
  }
  expect([...tids], 'the test thread has one id throughout').toHaveLength(1);
  expect(r.timedOut).toBe(false);
}

/** The KTAP checks of a test boot: a plan, every test ok in order, the pass exit code. */
function expectKtapPass(r: Awaited<ReturnType<typeof boot>>): void {
  const log = r.serial;
  expect(r.timedOut, `timed out\n${log}`).toBe(false);
  expect(r.exitCode, `QEMU exit status 0 means a triple fault\n${log}`).not.toBe(0);
  expect(log).toMatch(/^KTAP version 1$/m);
  const plan = log.match(/^1\.\.(\d+)$/m);
  expect(plan, `no plan line\n${log}`).not.toBeNull();
  const n = Number(plan![1]);
  expect(n).toBeGreaterThanOrEqual(20);
  const notOk = [...log.matchAll(/^not ok (\d+) (\S+)$/gm)];
  expect(notOk.map((m) => m[0]), log).toEqual([]);
  const ok = [...log.matchAll(/^ok (\d+) \S+$/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  expect(ok).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(log).not.toMatch(/\[PANIC\]/);
  expect(r.exitCode).toBe(33); // outb 0x10 to port 0xf4: (0x10 << 1) | 1
}

describe('Scarlett OS', () => {
  test('out/kernel.elf exists (make builds it before the tests run)', () => {
    expect(existsSync(KERNEL)).toBe(true);
  });

  test('demo boot: the seed boot log in order, then the user program, then idle', async () => {
    const r = await boot({ kernel: KERNEL, until: demoStop(), timeoutMs: 90_000 });
    expectDemoLog(r);
    expect(r.exitCode).toBeUndefined(); // still running when stopped: no triple fault, no exit
  }, 120_000);

  test('demo boot with the ramdisk as a multiboot module (-initrd): the same log, programs from the module', async () => {
    const r = await boot({ kernel: KERNEL, extra: ['-initrd', 'out/initrd.tar'], until: /Process exited: pid=1, name=demo/, timeoutMs: 90_000 });
    expect(r.serial).toMatch(/^\[INFO\] Multiboot: module 0 at 0x[0-9A-F]+-0x[0-9A-F]+$/m);
    expect(r.serial).toMatch(/^\[INFO\] initrd: multiboot module 0, \d+ files$/m);
    expectDemoLog(r);
  }, 150_000);

  test('demo boot with -smp 8 and multi-threaded TCG: every CPU up, the same log', async () => {
    const r = await boot({
      kernel: KERNEL, until: /Process exited: pid=1, name=demo/, timeoutMs: 120_000,
      extra: ['-smp', '8', '-accel', 'tcg,thread=multi'],
    });
    expect(r.serial).toMatch(/^\[INFO\] SMP: 8 of 8 CPUs up/m);
    expectDemoLog(r);
  }, 150_000);

  test.each([1, 4])('test boot with -smp %i: every KTAP self-test ok, exit through isa-debug-exit with the pass code', async (cpus) => {
    const r = await boot({ kernel: KERNEL, append: 'test', timeoutMs: 240_000, extra: ['-smp', String(cpus)] });
    expect(r.serial).toMatch(new RegExp(`^\\[INFO\\] SMP: ${cpus} of ${cpus} CPUs up`, 'm'));
    expectKtapPass(r);
  }, 300_000);

  // QEMU's default CPU (qemu64) has neither SMEP nor SMAP; `-cpu max` has both: every self-test
  // again with SMAP enforcing, so a kernel access to user memory outside mm/usercopy.ts faults.
  test('test boot under -cpu max: SMEP and SMAP on, every KTAP self-test ok', async () => {
    const r = await boot({ kernel: KERNEL, append: 'test', timeoutMs: 240_000, extra: ['-cpu', 'max'] });
    expect(r.serial).toMatch(/CPU protections: SMEP on, SMAP on/);
    expectKtapPass(r);
  }, 300_000);
});
