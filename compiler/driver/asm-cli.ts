// `node out/toolchain/compiler/driver/asm-cli.js in.S -o out.o`: assembles GNU as (AT&T) text into an
// ELF64 relocatable object with the toolchain's own assembler.

import { readFileSync, writeFileSync } from 'node:fs';
import { fail, formatDiagnostic, runMain, type Diagnostic } from '../../linker/diag.js';
import { parseAtt } from '../asm/att.js';
import { assemble } from '../asm/assemble.js';
import { writeRelocatable } from '../../linker/elfobj.js';

function usage(): never {
  return fail('ASM0100', 'usage: asm-cli <input.S> -o <output.o>');
}

runMain(() => {
  const args = process.argv.slice(2);
  let input: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-o') output = args[++i];
    else if (!input && !args[i].startsWith('-')) input = args[i];
    else usage();
  }
  if (!input || !output) usage();
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch {
    return fail('ASM0101', `cannot read '${input}'`);
  }
  // Warnings (a value cut to its field, a default operand size) print like GNU as's, and do not stop it.
  const warnings: Diagnostic[] = [];
  try {
    const obj = assemble(parseAtt(text, input, warnings), input, warnings);
    writeFileSync(output, writeRelocatable(obj));
  } finally {
    for (const w of warnings) process.stderr.write(formatDiagnostic(w, text) + '\n');
  }
});
