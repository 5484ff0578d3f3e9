// The kernel's hot paths in instructions: boots out/kernel.elf with `-append bench` under
// `-icount shift=0,align=off,sleep=off` (the guest TSC then counts executed instructions, so the figures are
// exact and do not depend on the machine's load) and turns its `bench <name> <instructions>` lines
// into a Markdown table against the bars of docs/architecture.md ("Speed"); then boots it again
// with -smp 4 for the SMP rows (cross-CPU IPC, the scaling of independent ping-pong pairs).
//
//   node tests/bench/kernel.mjs        (make builds out/kernel.elf first; `make bench` runs it)
//
// Exits 1 when the boot fails or a benchmark is missing; a bar missed is reported, not an error.

import { spawnSync } from 'node:child_process';
import { resolve, join } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const QEMU_ARGS = ['-append', 'bench', '-serial', 'stdio', '-display', 'none', '-no-reboot', '-m', '512M',
  '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-monitor', 'none', '-icount', 'shift=0,align=off,sleep=off'];
const PASS_STATUS = 33; // EXIT_PASS (0x10) through isa-debug-exit

/** What the kernel prints, what it means, and the architecture's bar (instructions) if it has one. */
export const ROWS = [
  { name: 'thread_yield_switch', what: 'thread_yield between two kernel threads, per switch', bar: 100 },
  { name: 'null_syscall', what: 'null system call from ring 3 (SYS_GETTID: syscall, dispatch, sysret)', bar: 60 },
  { name: 'ipc_call_reply_kernel', what: 'IPC call/reply round trip, kernel thread to kernel thread', bar: 400 },
  { name: 'ipc_call_reply_user', what: 'IPC call/reply round trip, ring 3 (SYS_IPC_SEND + SEND_CALL) to a kernel thread', bar: 400 },
  { name: 'ipc_call_reply_user_user', what: 'IPC call/reply round trip between two user processes (SEND_CALL; the server answers with SYS_IPC_REPLY_WAIT)', bar: 400 },
  { name: 'process_yield_switch', what: 'SYS_YIELD between two user processes, per switch (address-space switch included)', bar: 100 },
  { name: 'ipc_call_64k_copy', what: 'IPC call between two user processes with a 64 KiB request buffer, copied in and out (inline reply)', bar: null },
  { name: 'ipc_call_64k_map', what: 'the same call with SEND_MAP: the pages shared copy-on-write, mapped into the server (IPC_RECEIVE_MAP), unmapped before its reply', bar: null },
  { name: 'futex_mutex_uncontended_user', what: 'ring 3: umutex_lock + umutex_unlock on a free futex mutex (no system call)', bar: 20 },
  { name: 'kmalloc_kfree_64', what: 'kmalloc(64) + kfree (slab size class, per-CPU magazine hit)', bar: 40 },
  { name: 'kmalloc_kfree_mixed', what: 'kfree + kmalloc of random sizes 8..1024 and lifetimes, 1024 live objects', bar: null },
  { name: 'spin_lock_unlock', what: 'uncontended ticket spinlock: spin_lock + spin_unlock (the compiler inlines both)', bar: 20 },
  { name: 'spin_lock_irqsave_restore', what: 'uncontended spin_lock_irqsave + spin_unlock_irqrestore (interrupts off and back)', bar: null },
  { name: 'sleep_300us_late_ns', what: 'thread_sleep_ns(300 us) started just after a tick: nanoseconds late (median; under -icount 1 ns = 1 instruction)', bar: 100000 },
  { name: 'page_map_unmap', what: 'vmm_map + vmm_unmap of one 4 KiB kernel page (invlpg included)', bar: null },
];

/**
 * The rows a bench boot with several CPUs adds (SMP_ARGS). Under -icount the vCPUs take turns on
 * one virtual clock, so these are instructions of all CPUs together per round trip.
 */
export const SMP_ARGS = ['-smp', '4'];
export const SMP_ROWS = [
  { name: 'ipc_call_reply_cross_cpu', what: 'IPC call/reply round trip, kernel caller on CPU 0, kernel server on CPU 1 (a reschedule IPI each way); instructions of both CPUs' },
  { name: 'ipc_pairs_1cpu', what: '4 independent call/reply pairs (client and server on one CPU), all on CPU 0: machine instructions per round trip', cpus: 1 },
  { name: 'ipc_pairs_2cpu', what: 'the same 4 pairs spread over CPUs 0-1', cpus: 2 },
  { name: 'ipc_pairs_4cpu', what: 'the same 4 pairs spread over CPUs 0-3 (one pair per CPU)', cpus: 4 },
];

/** Boots the benchmark kernel; returns { name: instructions per op } and the serial log. */
export function runKernelBench(kernel = join(ROOT, 'out', 'kernel.elf'), extra = [], rows = ROWS) {
  const r = spawnSync('qemu-system-x86_64', ['-kernel', kernel, ...QEMU_ARGS, ...extra], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  const log = r.stdout ?? '';
  if (r.status !== PASS_STATUS) throw new Error(`benchmark boot failed (QEMU status ${r.status ?? r.signal}):\n${log}${r.stderr}`);
  const values = {};
  for (const m of log.matchAll(/^bench (\w+) (\d+(?:\.\d+)?)\r?$/gm)) values[m[1]] = Number(m[2]);
  for (const row of rows) if (!(row.name in values)) throw new Error(`benchmark ${row.name} missing:\n${log}`);
  return { values, log };
}

export function kernelTable(values) {
  const lines = [
    '### Kernel hot paths: instructions per operation (QEMU -icount, median of 9 batches)',
    '',
    `Command: \`qemu-system-x86_64 -kernel out/kernel.elf ${QEMU_ARGS.join(' ')}\``,
    '',
    '| benchmark | what | instructions | bar | verdict |',
    '| --- | --- | ---: | ---: | --- |',
  ];
  for (const row of ROWS) {
    const v = values[row.name];
    const verdict = row.bar == null ? '' : v < row.bar ? 'pass' : '**fail**';
    lines.push(`| ${row.name} | ${row.what} | ${v} | ${row.bar == null ? '' : `< ${row.bar}`} | ${verdict} |`);
  }
  return lines.join('\n');
}

/**
 * The SMP rows, with the scaling figure as it is meaningful under -icount: throughput relative to
 * the 4 pairs on one CPU, k * (one-CPU figure) / (k-CPU figure), i.e. what k CPUs each as fast as
 * the one would do if the machine's instructions per round trip stayed what they were measured.
 */
export function smpTable(values) {
  const lines = [
    '### Several CPUs: instructions per round trip, all CPUs together (QEMU -icount, -smp 4)',
    '',
    `Command: \`qemu-system-x86_64 -kernel out/kernel.elf ${[...QEMU_ARGS, ...SMP_ARGS].join(' ')}\``,
    '',
    '| benchmark | what | instructions | throughput vs 1 CPU |',
    '| --- | --- | ---: | ---: |',
  ];
  for (const row of SMP_ROWS) {
    const v = values[row.name];
    const scale = row.cpus ? `${((row.cpus * values.ipc_pairs_1cpu) / v).toFixed(2)}x` : '';
    lines.push(`| ${row.name} | ${row.what} | ${v} | ${scale} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    process.stdout.write(kernelTable(runKernelBench().values) + '\n\n');
    process.stdout.write(smpTable(runKernelBench(undefined, SMP_ARGS, SMP_ROWS).values) + '\n');
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
