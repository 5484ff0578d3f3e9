// Boots an image in QEMU for a test: serial output to a file, isa-debug-exit for the verdict, a
// timeout. QEMU runs under TCG (no KVM here), so boots are given tens of seconds.

import { execa } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './tools.js';

export interface BootResult {
  serial: string;
  exitCode: number | undefined; // QEMU's status: (V << 1) | 1 for `outb V, 0xf4`; 0 after a triple fault with -no-reboot
  timedOut: boolean;
}

export interface BootOptions {
  kernel?: string; // -kernel FILE
  cdrom?: string; // -cdrom FILE
  append?: string; // kernel command line
  memory?: string;
  timeoutMs?: number;
  extra?: string[];
  /** Stop QEMU as soon as the serial log matches, or the function says so (for boots that idle
   *  forever, like the demo, and to end a boot that has already failed without waiting it out). */
  until?: RegExp | ((log: string) => boolean);
}

export async function boot(opts: BootOptions): Promise<BootResult> {
  requireTool('qemu-system-x86_64');
  const dir = mkdtempSync(join(tmpdir(), 'scarlett-qemu-'));
  const log = join(dir, 'serial.log');
  const args = ['-display', 'none', '-no-reboot', '-m', opts.memory ?? '512M', '-serial', `file:${log}`,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-monitor', 'none'];
  if (opts.kernel) args.push('-kernel', opts.kernel);
  if (opts.cdrom) args.push('-cdrom', opts.cdrom, '-boot', 'd');
  if (opts.append) args.push('-append', opts.append);
  args.push(...(opts.extra ?? []));
  const child = execa('qemu-system-x86_64', args, { reject: false, timeout: opts.timeoutMs ?? 60_000 });
  let stoppedByUs = false;
  const until = opts.until;
  const stop = until instanceof RegExp ? (text: string) => until.test(text) : until;
  const poll = stop && setInterval(() => {
    if (stop(readLog(log))) {
      stoppedByUs = true;
      child.kill('SIGTERM');
    }
  }, 200);
  const r = await child;
  if (poll) clearInterval(poll);
  // QEMU may fail before it opens the log: then its stderr says why.
  const serial = readLog(log) || (r.stderr ?? '');
  return { serial, exitCode: stoppedByUs ? undefined : r.exitCode, timedOut: Boolean(r.timedOut) };
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
