// `node out/toolchain/compiler/driver/asm-cli.js in.S -o out.o`: assembles GNU as (AT&T) text into an
// ELF64 relocatable object with the toolchain's own assembler.

import { readFileSync, writeFileSync } from 'node:fs';
import { fail, runMain } from '../../linker/diag.js';
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
  const obj = assemble(parseAtt(text, input), input);
  writeFileSync(output, writeRelocatable(obj));
});
