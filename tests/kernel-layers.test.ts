// The kernel's layering (README, Kernel layers): only kernel-src/arch/ touches the machine, the
// generic kernel reaches it through arch/hal.ts, and the scheduler and the timer driver meet
// only in time/clock.ts. Checked on the source text, so a new file is covered as soon as it exists.

import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const KERNEL = join(__dirname, '..', 'kernel-src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(KERNEL, join(dir, f)));
}

const generic = tsFiles(KERNEL).filter((f) => !f.startsWith('arch/') && !f.startsWith('user/'));
const source = (f: string) => readFileSync(join(KERNEL, f), 'utf8');
const code = (f: string) => source(f).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
const imports = (f: string) => [...source(f).matchAll(/from "([^"]+)"/g)].map((m) => m[1]);

describe('kernel layers', () => {
  it('finds the generic kernel files', () => {
    expect(generic).toContain('sched/scheduler.ts');
    expect(generic).toContain('mm/vmm.ts');
  });

  it('generic code uses no control register, MSR, TLB, port I/O or interrupt-flag intrinsic', () => {
    const machine = /\b(read_cr[0-8]|write_cr[0-8]|rdmsr|wrmsr|invlpg|outb|outw|outl|inb|inw|inl|cli|sti|hlt|read_rflags|write_rflags|read_gs_u64)\s*\(/;
    const offenders = generic.filter((f) => machine.test(code(f))).map((f) => `${f}: ${machine.exec(code(f))![1]}`);
    expect(offenders).toEqual([]);
  });

  it('generic code imports the architecture only through arch/hal (the self-tests of arch code excepted)', () => {
    const offenders = generic
      .filter((f) => !f.startsWith('test/'))
      .flatMap((f) => imports(f).filter((i) => /(^|\/)arch\//.test(i) && !/(^|\/)arch\/hal$/.test(i)).map((i) => `${f}: ${i}`));
    expect(offenders).toEqual([]);
  });

  it('the scheduler and the timer driver do not import each other', () => {
    expect(imports('sched/scheduler.ts').filter((i) => /pit|x86_64/.test(i))).toEqual([]);
    for (const driver of ['arch/x86_64/pit.ts', 'arch/x86_64/timer.ts', 'arch/x86_64/lapic.ts']) {
      expect(imports(driver).filter((i) => /sched/.test(i))).toEqual([]);
    }
  });
});
