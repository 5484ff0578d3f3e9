import { describe, it, expect } from 'vitest';
import { compileToIR, printModule } from '../compiler/driver.js';
import { runModule } from '../compiler/irinterp.js';
import { UserError, formatDiagnostic } from '../compiler/diag.js';

function build(dir: string) {
  try {
    return compileToIR(dir).module;
  } catch (e) {
    if (e instanceof UserError) throw new Error(e.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    throw e;
  }
}

describe('kernel-like program', () => {
  it('prints the banner on COM1', () => {
    const m = build('tests/frontend/kernel');
    const r = runModule(m, { entry: 'kernel_main', args: [0x2badb002n, 0x9000n] });
    expect(r.halted).toBe(true);
    expect(r.serial).toBe('Scarlett OS\nversion 2 magic=0x2badb002 info=36864 neg=-5\n');
  });
});
